//! `lint-imports`: import-linter's command, answered by `archlint lint-imports` (the `archlint`
//! executable next to this one, else the first on PATH). Installed by the archlint wheel, so a CI
//! job running `lint-imports` switches by installing archlint instead of import-linter.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn archlint() -> PathBuf {
    let name = if cfg!(windows) {
        "archlint.exe"
    } else {
        "archlint"
    };
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
        && dir.join(name).is_file()
    {
        return dir.join(name);
    }
    PathBuf::from(name)
}

fn main() -> ExitCode {
    let mut command = Command::new(archlint());
    command
        .arg("lint-imports")
        .args(std::env::args_os().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = command.exec();
        eprintln!("lint-imports: cannot run archlint: {err}");
        ExitCode::from(2)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(status.code().unwrap_or(2).clamp(0, 255) as u8),
        Err(err) => {
            eprintln!("lint-imports: cannot run archlint: {err}");
            ExitCode::from(2)
        }
    }
}
