//! The log: what Banyan did, for IT and support, with no customer data in it.
//!
//! Events are JSON lines (`tracing` + `tracing-subscriber`'s JSON formatter) in daily files
//! (`tracing-appender`) in the OS's log folder, the one Tauri's `app_log_dir` names: the desktop,
//! the hub and the CLI all write there, each to files of its own (`desktop.2026-12-07.log`,
//! `cli.…`). Thirty days are kept per program, and the folder's total size is capped here
//! (`tracing-appender` rotates by time only): past the cap the oldest days go first, and a day
//! that alone fills it stops logging until the next.
//!
//! What goes in: ids (books, desktops, users, batches), counts, durations, error codes and message
//! ids, field names. Never a field's value, a file name, search text or anything typed: callers log
//! through the few events in the code, and a panic's message is scrubbed ([`scrub_panic`]) because
//! it may quote data. Security events live in the book's audit trail, not here.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use tracing_appender::rolling::{RollingFileAppender, Rotation};

/// Days of log kept per program.
pub const MAX_LOG_FILES: usize = 30;
/// The log folder's total size cap.
pub const MAX_TOTAL_BYTES: u64 = 64 * 1024 * 1024;
/// How much is written between two checks of the folder's size.
const CHECK_EVERY: u64 = 256 * 1024;

/// The folder this process logs to, once [`init`] ran.
static DIR: OnceLock<PathBuf> = OnceLock::new();

/// Who is logging and where.
#[derive(Debug, Clone)]
pub struct LogOptions {
    pub dir: PathBuf,
    /// The file name's first part: `desktop`, `hub` or `cli`.
    pub program: &'static str,
    /// Banyan's own level (`error`, `warn`, `info`, `debug`, `trace`); other crates log warnings
    /// and errors only, whatever this says, so a library's debug output (which may carry
    /// payloads) never reaches the file.
    pub level: tracing::Level,
    pub max_total_bytes: u64,
}

impl LogOptions {
    /// The OS's log folder (or `BANYAN_LOG_DIR`), the level [`level_in_force`] says (`off`
    /// turns the log off: `None`).
    pub fn from_env(program: &'static str) -> Option<LogOptions> {
        let level = match level_in_force().0.as_str() {
            "off" => return None,
            l => l.parse().unwrap_or(tracing::Level::INFO),
        };
        Some(LogOptions { dir: default_dir()?, program, level, max_total_bytes: MAX_TOTAL_BYTES })
    }
}

/// The log's level: policy `LogLevel` (mandatory), else `BANYAN_LOG`, else the recommended
/// policy, else `info`; with where it comes from.
pub fn level_in_force() -> (String, crate::policy::Source) {
    let env = std::env::var("BANYAN_LOG")
        .ok()
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| ["off", "error", "warn", "info", "debug", "trace"].contains(&s.as_str()));
    let (v, s) = crate::policy::current().pick("LogLevel", env, |v| v.as_str().map(str::to_string));
    (v.unwrap_or_else(|| "info".into()), s)
}

/// Where logs go: `BANYAN_LOG_DIR`, else this desktop's log folder ([`crate::home::Home::logs`]:
/// the one Tauri's `app_log_dir` gives the desktop app, `~/Library/Logs/<id>` on macOS,
/// `<local app data>/<id>/logs` elsewhere, `data/logs` in portable mode), so the CLI and the window
/// log to the same place. None when portable mode is refused (nothing is written then).
pub fn default_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("BANYAN_LOG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    crate::home::current().ok().map(|h| h.logs())
}

/// The folder this process logs to: the one [`init`] was given, else where it would log.
pub fn dir() -> Option<PathBuf> {
    DIR.get().cloned().or_else(default_dir)
}

/// Starts logging for this process and installs the panic hook. Logging never stops the program:
/// a folder that cannot be made leaves it without a log (the error says why, for the caller to
/// show or ignore). Call once; a second call changes nothing.
pub fn init(opts: &LogOptions) -> std::io::Result<()> {
    if tracing::dispatcher::set_global_default(dispatch(opts)?).is_err() {
        return Ok(());
    }
    let _ = DIR.set(opts.dir.clone());
    // What the policy file got wrong, once per start (read before the log was there).
    for problem in &crate::policy::current().problems {
        tracing::warn!(target: "banyan::policy", problem = %problem, "policy ignored");
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let said = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let thread = std::thread::current().name().unwrap_or("unnamed").to_string();
        tracing::error!(target: "banyan::panic", %location, %thread, said = %scrub_panic(&said), "panic");
        previous(info);
    }));
    Ok(())
}

/// The log as [`init`] installs it, for one scope instead of the whole process
/// (`tracing::dispatcher::with_default`; the benchmark compares an import with and without it).
pub fn dispatch(opts: &LogOptions) -> std::io::Result<tracing::Dispatch> {
    std::fs::create_dir_all(&opts.dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(opts.program)
        .filename_suffix("log")
        .max_log_files(MAX_LOG_FILES)
        .build(&opts.dir)
        .map_err(std::io::Error::other)?;
    let mut capped =
        Capped { inner: appender, dir: opts.dir.clone(), cap: opts.max_total_bytes, since_check: 0, full_on: None };
    capped.enforce();
    let own = opts.level;
    let targets = tracing_subscriber::filter::Targets::new()
        .with_default(tracing::Level::WARN)
        .with_target("banyan", own)
        .with_target("banyan_desktop", own)
        .with_target("banyan_read", own);
    use tracing_subscriber::layer::SubscriberExt;
    let subscriber = tracing_subscriber::registry().with(targets).with(
        tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(Mutex::new(capped)),
    );
    Ok(tracing::Dispatch::new(subscriber))
}

/// The log files in `dir` (ours only: `<program>.<YYYY-MM-DD>.log`) with their day, oldest first.
pub fn files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let day = day_of(&name)?;
            e.file_type().ok().filter(|t| t.is_file())?;
            Some((day, e.path()))
        })
        .collect();
    out.sort();
    out
}

/// The day of a log file's name `<program>.<YYYY-MM-DD>.log`, if it is one of ours.
fn day_of(name: &str) -> Option<String> {
    let rest = name.strip_suffix(".log")?;
    let (program, day) = rest.rsplit_once('.')?;
    let ours = ["desktop", "hub", "cli"].contains(&program);
    (ours && chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok()).then(|| day.to_string())
}

/// The log folder's size in bytes (our files only).
pub fn total_size(dir: &Path) -> u64 {
    files(dir).iter().filter_map(|(_, p)| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
}

/// The appender with the size cap `tracing-appender` lacks.
struct Capped {
    inner: RollingFileAppender,
    dir: PathBuf,
    cap: u64,
    since_check: u64,
    /// The day on which today's logging alone reached the cap: nothing more is written that day.
    full_on: Option<String>,
}

impl Capped {
    /// Removes the oldest days until the folder is within the cap; today's files stay. If today
    /// alone is over it, logging stops for the day (one line says so).
    fn enforce(&mut self) {
        self.since_check = 0;
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let mut all: Vec<(String, PathBuf, u64)> = files(&self.dir)
            .into_iter()
            .filter_map(|(d, p)| std::fs::metadata(&p).ok().map(|m| (d, p, m.len())))
            .collect();
        let mut total: u64 = all.iter().map(|f| f.2).sum();
        all.retain(|f| f.0 < today);
        for (_, path, len) in &all {
            if total <= self.cap {
                break;
            }
            if std::fs::remove_file(path).is_ok() {
                total -= len;
            }
        }
        if total > self.cap && self.full_on.as_deref() != Some(&today) {
            let line = format!(
                "{{\"timestamp\":\"{}\",\"level\":\"WARN\",\"message\":\"log-cap-reached\",\"target\":\"banyan::logging\",\"cap\":{}}}\n",
                chrono::Utc::now().to_rfc3339(),
                self.cap
            );
            let _ = self.inner.write_all(line.as_bytes());
            self.full_on = Some(today);
        }
    }
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(day) = &self.full_on {
            if *day == chrono::Utc::now().format("%Y-%m-%d").to_string() {
                return Ok(buf.len());
            }
            self.full_on = None;
            self.enforce();
            if self.full_on.is_some() {
                return Ok(buf.len());
            }
        }
        let n = self.inner.write(buf)?;
        self.since_check += n as u64;
        if self.since_check >= CHECK_EVERY {
            self.enforce();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A panic's message as the log keeps it: its shape without anything that may be data. Quoted
/// text goes whole; a word stays only if it is plain lower-case English-like (`called`, `on`,
/// `value`) or code-shaped (a `CamelCase` name before `(`, `{` or `::`, or after `::`); numbers
/// become `#`; anything else (names, e-mails, phones, any non-ASCII word) becomes `…`. So
/// `bad customer "Zoë": Bartholomew rejected` logs as `bad customer "…": … rejected`.
pub fn scrub_panic(msg: &str) -> String {
    let chars: Vec<char> = msg.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_word = |c: char| c.is_alphanumeric() || "_.@-+'#%&/\\".contains(c) || !c.is_ascii();
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            // Skip to the closing quote (escapes honoured).
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            out.push_str("\"…\"");
            i = j + 1;
        } else if is_word(c) {
            let start = i;
            while i < chars.len() && is_word(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let next = chars.get(i).copied();
            let after_path = start >= 2 && chars[start - 1] == ':' && chars[start - 2] == ':';
            let before_code = matches!(next, Some('(') | Some('{') | Some('<'))
                || (next == Some(':') && chars.get(i + 1) == Some(&':'))
                || (next == Some(' ') && chars.get(i + 1) == Some(&'{'));
            let plain = word.len() <= 24 && word.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '-');
            let code = word.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && word.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && (after_path || before_code);
            if plain || code {
                out.push_str(&word);
            } else if word.chars().all(|c| c.is_ascii_digit() || c == '.') {
                out.push('#');
            } else {
                out.push('…');
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_message_keeps_its_shape_and_loses_its_data() {
        assert_eq!(
            scrub_panic("bad customer \"Zoë Müller\": Bartholomew Quackenbush rejected"),
            "bad customer \"…\": … … rejected"
        );
        assert_eq!(
            scrub_panic("called `Result::unwrap()` on an `Err` value: Invalid([FieldError { field: \"email\" }])"),
            "called `Result::unwrap()` on an `…` value: Invalid([FieldError { field: \"…\" }])"
        );
        assert_eq!(
            scrub_panic("index out of bounds: the len is 3 but the index is 13912345678"),
            "index out of bounds: the len is # but the index is #"
        );
        assert_eq!(scrub_panic("欧阳娜娜 secret.person@example.org +8613912345678"), "… … …");
        assert_eq!(scrub_panic("unterminated \"quote 欧阳"), "unterminated \"…\"");
    }

    #[test]
    fn only_our_files_count() {
        assert_eq!(day_of("desktop.2026-12-07.log").as_deref(), Some("2026-12-07"));
        assert_eq!(day_of("cli.2026-01-31.log").as_deref(), Some("2026-01-31"));
        assert_eq!(day_of("notes.2026-12-07.log"), None);
        assert_eq!(day_of("desktop.yesterday.log"), None);
        assert_eq!(day_of("desktop.2026-12-07.txt"), None);
    }

    #[test]
    fn the_cap_removes_the_oldest_days_first_and_keeps_today() {
        let dir = tempfile::tempdir().unwrap();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        for day in ["2026-01-01", "2026-01-02", "2026-01-03"] {
            std::fs::write(dir.path().join(format!("cli.{day}.log")), vec![b'x'; 400]).unwrap();
        }
        std::fs::write(dir.path().join("mine.txt"), vec![b'x'; 4000]).unwrap();
        let appender = RollingFileAppender::builder()
            .rotation(Rotation::DAILY)
            .filename_prefix("cli")
            .filename_suffix("log")
            .build(dir.path())
            .unwrap();
        let mut c = Capped { inner: appender, dir: dir.path().to_owned(), cap: 1000, since_check: 0, full_on: None };
        c.write_all(&[b'y'; 300]).unwrap();
        c.flush().unwrap();
        c.enforce();
        let left: Vec<String> = files(dir.path()).into_iter().map(|(d, _)| d).collect();
        assert_eq!(left, vec!["2026-01-03".to_string(), today.clone()], "oldest days go first");
        assert!(dir.path().join("mine.txt").exists(), "a file not ours stays");
        // Today alone over the cap: one line says so, then nothing more is written today.
        c.write_all(&vec![b'z'; 2000]).unwrap();
        c.enforce();
        let size = std::fs::metadata(dir.path().join(format!("cli.{today}.log"))).unwrap().len();
        assert!(size < 2600, "{size}");
        c.write_all(&vec![b'w'; 5000]).unwrap();
        c.flush().unwrap();
        let after = std::fs::metadata(dir.path().join(format!("cli.{today}.log"))).unwrap().len();
        assert_eq!(after, size, "nothing more is written on a full day");
        assert!(files(dir.path()).iter().all(|(d, _)| *d == today), "every older day went");
    }
}
