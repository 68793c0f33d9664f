//! Duplicated code: equal runs of normalized statements across the project.
//!
//! Every block is a sequence of statement hashes. From each statement, the shortest run that
//! reaches `min-tokens` is a window; windows with equal content hashes are copies. A group is
//! dropped when all its copies extend one statement backwards alike (the group starting there
//! covers it), grown forwards as far as all copies agree, and reported unless every copy lies
//! inside a copy already reported (a duplicated function's body). The work is linear in the
//! number of statements times the window length.

use rustc_hash::FxHashMap;

use crate::catalog::DuplicateCode;
use crate::{Ctx, Raw, Related, RuleFinding};

/// Copies named in the message; every copy is in `related`.
const SHOWN_PLACES: usize = 3;

#[derive(Clone, Copy, Debug)]
struct Occurrence {
    module: usize,
    block: usize,
    start: usize,
    end: usize,
}

fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(29) ^ (h >> 7)
}

pub(crate) fn check(ctx: &Ctx, out: &mut Vec<Raw>) -> usize {
    let min_tokens = ctx.config.duplicate_min_tokens;
    let min_lines = ctx.config.duplicate_min_lines;
    let blocks = |o: &Occurrence| &ctx.modules[o.module].facts.code.blocks[o.block];

    let mut groups: FxHashMap<u64, Vec<Occurrence>> = FxHashMap::default();
    for (m, input) in ctx.modules.iter().enumerate() {
        for (b, block) in input.facts.code.blocks.iter().enumerate() {
            for i in 0..block.len() {
                let mut tokens = 0;
                let mut key = 0xcbf2_9ce4_8422_2325u64;
                for (j, stmt) in block.iter().enumerate().skip(i) {
                    if stmt.hash == 0 {
                        break;
                    }
                    tokens += stmt.tokens;
                    key = mix(key, stmt.hash);
                    if tokens >= min_tokens {
                        groups.entry(key).or_default().push(Occurrence {
                            module: m,
                            block: b,
                            start: i,
                            end: j,
                        });
                        break;
                    }
                }
            }
        }
    }

    let mut found: Vec<(u32, u64, Vec<Occurrence>)> = Vec::new();
    for (key, mut occurrences) in groups {
        if occurrences.len() < 2 {
            continue;
        }
        // Copies overlapping an earlier copy in the same block are one stretch, not two.
        occurrences.sort_by_key(|o| (o.module, o.block, o.start));
        let mut kept: Vec<Occurrence> = Vec::with_capacity(occurrences.len());
        for o in occurrences {
            if let Some(last) = kept.last()
                && last.module == o.module
                && last.block == o.block
                && o.start <= last.end
            {
                continue;
            }
            kept.push(o);
        }
        if kept.len() < 2 {
            continue;
        }
        // Covered by the group that starts one statement earlier?
        let before = |o: &Occurrence| (o.start > 0).then(|| blocks(o)[o.start - 1].hash);
        let first_before = before(&kept[0]);
        if first_before.is_some_and(|h| h != 0) && kept.iter().all(|o| before(o) == first_before) {
            continue;
        }
        // Grow forwards while every copy agrees.
        loop {
            let next = |o: &Occurrence| blocks(o).get(o.end + 1).map(|s| s.hash);
            let first_next = next(&kept[0]);
            let overlaps = kept.windows(2).any(|w| {
                w[0].module == w[1].module && w[0].block == w[1].block && w[0].end + 1 >= w[1].start
            });
            if overlaps
                || first_next.is_none_or(|h| h == 0)
                || !kept.iter().all(|o| next(o) == first_next)
            {
                break;
            }
            for o in &mut kept {
                o.end += 1;
            }
        }
        let tokens: u32 = blocks(&kept[0])[kept[0].start..=kept[0].end]
            .iter()
            .map(|s| s.tokens)
            .sum();
        found.push((tokens, key, kept));
    }
    // Biggest first, so a copy inside a reported copy is recognised as part of it.
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));

    let mut reported: FxHashMap<usize, Vec<(u32, u32)>> = FxHashMap::default();
    let mut suppressed = 0;
    for (tokens, key, kept) in found {
        let lines_of = |o: &Occurrence| {
            let block = blocks(o);
            (block[o.start].start_line, block[o.end].end_line)
        };
        let inside = |o: &Occurrence, reported: &FxHashMap<usize, Vec<(u32, u32)>>| {
            let (s, e) = lines_of(o);
            reported
                .get(&o.module)
                .is_some_and(|r| r.iter().any(|&(rs, re)| rs <= s && e <= re))
        };
        if kept.iter().all(|o| inside(o, &reported)) {
            continue;
        }
        let (s0, e0) = lines_of(&kept[0]);
        if e0 - s0 + 1 < min_lines {
            continue;
        }
        for o in &kept {
            reported.entry(o.module).or_default().push(lines_of(o));
        }
        let mut copies: Vec<Occurrence> = kept
            .into_iter()
            .filter(|o| {
                let (s, _) = lines_of(o);
                !ctx.suppressed(o.module, DuplicateCode::CODE, s..=s)
            })
            .collect();
        if copies.len() < 2 {
            suppressed += 1;
            continue;
        }
        copies.sort_by_key(|o| (ctx.modules[o.module].path, lines_of(o).0));
        let first = copies[0];
        let (start, end) = lines_of(&first);
        let input = &ctx.modules[first.module];
        let related: Vec<Related> = copies[1..]
            .iter()
            .map(|o| {
                let (s, e) = lines_of(o);
                Related {
                    path: ctx.modules[o.module].path.to_owned(),
                    line: s,
                    end_line: Some(e),
                    message: "copy".into(),
                }
            })
            .collect();
        let mut places: Vec<String> = related
            .iter()
            .take(SHOWN_PLACES)
            .map(|r| format!("{}:{}-{}", r.path, r.line, r.end_line.unwrap_or(r.line)))
            .collect();
        if related.len() > SHOWN_PLACES {
            places.push(format!("and {} more", related.len() - SHOWN_PLACES));
        }
        out.push(Raw {
            module: first.module,
            anchor: start..=start,
            finding: RuleFinding {
                code: DuplicateCode::CODE,
                path: input.path.to_owned(),
                module: input.module.to_owned(),
                line: start,
                column: None,
                end_line: Some(end),
                message: format!(
                    "{} lines ({tokens} tokens) duplicated {} more time{}: {}",
                    end - start + 1,
                    related.len(),
                    if related.len() == 1 { "" } else { "s" },
                    places.join(", ")
                ),
                help: Some("move the shared code into one function that every copy calls".into()),
                symbol: format!("{key:016x}"),
                related,
            },
        });
    }
    suppressed
}
