//! Every bulk write of the store through one typed writer: a [`Table`] names its columns and
//! their PostgreSQL types once, and [`copy_rows`] streams rows into it with binary COPY.

use tokio_postgres::Transaction;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};

use crate::StoreError;

/// A value of a row.
pub(crate) type Value<'a> = &'a (dyn ToSql + Sync);

/// A table written with COPY: its name and its columns with their types, in row order.
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Type)],
}

impl Table {
    fn statement(&self) -> String {
        let names: Vec<&str> = self.columns.iter().map(|(n, _)| *n).collect();
        format!(
            "COPY {} ({}) FROM STDIN BINARY",
            self.name,
            names.join(", ")
        )
    }

    fn types(&self) -> Vec<Type> {
        self.columns.iter().map(|(_, t)| t.clone()).collect()
    }
}

/// Write `rows` (each with one value per column, in order) into `table`; nothing is started
/// when there are none. Returns the number of rows.
pub(crate) async fn copy_rows<'a>(
    tx: &Transaction<'_>,
    table: &Table,
    rows: impl IntoIterator<Item = Vec<Value<'a>>>,
) -> Result<u64, StoreError> {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(0);
    }
    let sink = tx.copy_in(&table.statement()).await?;
    let mut writer = Box::pin(BinaryCopyInWriter::new(sink, &table.types()));
    let mut n = 0;
    for row in rows {
        if row.len() != table.columns.len() {
            return Err(StoreError::Runtime(format!(
                "internal error: {} values for the {} columns of {}",
                row.len(),
                table.columns.len(),
                table.name
            )));
        }
        writer.as_mut().write(&row).await?;
        n += 1;
    }
    writer.as_mut().finish().await?;
    Ok(n)
}

pub(crate) const MODULES: Table = Table {
    name: "modules",
    columns: &[
        ("project_id", Type::INT8),
        ("name", Type::TEXT),
        ("path", Type::TEXT),
        ("is_package", Type::BOOL),
        ("content_hash", Type::TEXT),
        ("size_bytes", Type::INT8),
        ("lines", Type::INT4),
        ("classes", Type::INT4),
        ("functions", Type::INT4),
        ("written_run", Type::INT8),
    ],
};

pub(crate) const IMPORTS: Table = Table {
    name: "imports",
    columns: &[
        ("project_id", Type::INT8),
        ("importer", Type::TEXT),
        ("imported", Type::TEXT),
        ("external", Type::BOOL),
        ("line", Type::INT4),
        ("col", Type::INT4),
        ("kind", Type::TEXT),
        ("type_checking", Type::BOOL),
        ("in_function", Type::BOOL),
    ],
};

pub(crate) const CONTRACTS: Table = Table {
    name: "contracts",
    columns: &[
        ("run_id", Type::INT8),
        ("ordinal", Type::INT4),
        ("contract_id", Type::TEXT),
        ("name", Type::TEXT),
        ("kind", Type::TEXT),
        ("kept", Type::BOOL),
        ("violations", Type::INT4),
    ],
};

pub(crate) const FINDINGS: Table = Table {
    name: "findings",
    columns: &[
        ("run_id", Type::INT8),
        ("ordinal", Type::INT4),
        ("check_kind", Type::TEXT),
        ("check_name", Type::TEXT),
        ("code", Type::TEXT),
        ("severity", Type::TEXT),
        ("message", Type::TEXT),
        ("path", Type::TEXT),
        ("line", Type::INT4),
        ("col", Type::INT4),
        ("identity", Type::TEXT),
        ("suppressed", Type::TEXT),
        ("chain", Type::JSONB),
    ],
};

pub(crate) const DISTRIBUTIONS: Table = Table {
    name: "distributions",
    columns: &[
        ("run_id", Type::INT8),
        ("ordinal", Type::INT4),
        ("name", Type::TEXT),
        ("normalized", Type::TEXT),
        ("version", Type::TEXT),
        ("role", Type::TEXT),
        ("editable", Type::BOOL),
    ],
};

pub(crate) const LICENSES: Table = Table {
    name: "licenses",
    columns: &[
        ("run_id", Type::INT8),
        ("distribution", Type::TEXT),
        ("expression", Type::TEXT),
        ("status", Type::TEXT),
        ("source", Type::TEXT),
        ("verdict", Type::TEXT),
        ("raw", Type::TEXT),
    ],
};

pub(crate) const VULNERABILITIES: Table = Table {
    name: "vulnerabilities",
    columns: &[
        ("run_id", Type::INT8),
        ("distribution", Type::TEXT),
        ("version", Type::TEXT),
        ("advisory", Type::TEXT),
        ("aliases", Type::TEXT_ARRAY),
        ("summary", Type::TEXT),
        ("fixed", Type::TEXT),
    ],
};

pub(crate) const TIMINGS: Table = Table {
    name: "timings",
    columns: &[
        ("run_id", Type::INT8),
        ("phase", Type::TEXT),
        ("ms", Type::FLOAT8),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_every_column_in_order() {
        assert_eq!(
            TIMINGS.statement(),
            "COPY timings (run_id, phase, ms) FROM STDIN BINARY"
        );
        for t in [
            &MODULES,
            &IMPORTS,
            &CONTRACTS,
            &FINDINGS,
            &DISTRIBUTIONS,
            &LICENSES,
            &VULNERABILITIES,
            &TIMINGS,
        ] {
            assert_eq!(t.types().len(), t.columns.len());
            let names: std::collections::HashSet<&str> =
                t.columns.iter().map(|(n, _)| *n).collect();
            assert_eq!(names.len(), t.columns.len(), "{}: a column twice", t.name);
            // Every column is one the schema creates for the table.
            let schema = crate::schema::MIGRATIONS.join("\n");
            let start = format!("CREATE TABLE {} (", t.name);
            let at = schema.find(&start).unwrap_or_else(|| panic!("{}", t.name));
            let block = &schema[at..];
            let block = &block[..block.find("\n);").unwrap()];
            for (column, _) in t.columns {
                assert!(
                    block
                        .lines()
                        .any(|l| l.trim_start().starts_with(&format!("{column} "))),
                    "{}.{column} is not in the schema",
                    t.name
                );
            }
        }
    }
}
