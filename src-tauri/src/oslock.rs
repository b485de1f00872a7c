//! Locks Banyan when the computer's screen locks or it goes to sleep: the session ends in the
//! shell at once (whatever the window is doing, even while its web view is frozen), and the window
//! is told to drop every customer value it shows (the "os-locked" event).
//!
//! Linux: D-Bus signals, read with the `dbus` crate (libdbus, already linked for the keyring):
//! - on the system bus, from logind only (`org.freedesktop.login1`, so another program cannot
//!   fake them): `Manager.PrepareForSleep(true)` (suspend, hibernate) and `Session.Lock` of this
//!   process's own session (`loginctl lock-session`, and what desktops send on Super+L);
//! - on the session bus: the screensaver's `ActiveChanged(true)` under the names desktops use
//!   (freedesktop, GNOME, MATE, Cinnamon). Any program of the same user may send these; at worst
//!   it signs the user out, which that user's programs can do anyway.
//!
//! A missing bus (a server without a desktop, a container) leaves only the idle timer and the menu.
//! Windows (WTS session notifications, `PBT_APMSUSPEND`) and macOS (`com.apple.screenIsLocked`,
//! `NSWorkspaceWillSleepNotification`) are not wired yet.

use crate::state::AppState;
use tauri::{AppHandle, Emitter, Manager};

/// Why the OS locked Banyan, as the sign-in screen says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsLock {
    ScreenLocked,
    Sleep,
}

impl OsLock {
    pub fn name(self) -> &'static str {
        match self {
            OsLock::ScreenLocked => "screen-lock",
            OsLock::Sleep => "sleep",
        }
    }
}

/// Starts watching for the OS's screen lock and sleep, for the life of the app.
pub fn watch(app: &AppHandle) {
    #[cfg(target_os = "linux")]
    {
        let on_lock = {
            let app = app.clone();
            move |why: OsLock| locked(&app, why)
        };
        linux::watch(on_lock);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Ends the session, if there is one, and tells the window.
fn locked(app: &AppHandle, why: OsLock) {
    if app.state::<AppState>().end_session(why.name()) {
        let _ = app.emit("os-locked", why.name());
    }
}

#[cfg(target_os = "linux")]
pub mod linux {
    use super::OsLock;
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    use std::time::Duration;

    const LOGIND: &str = "org.freedesktop.login1";
    /// The screensaver interfaces desktops announce `ActiveChanged(bool)` on.
    const SCREENSAVERS: [&str; 4] =
        ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.mate.ScreenSaver", "org.cinnamon.ScreenSaver"];

    /// Watches the system and the session bus, each on a thread of its own.
    pub fn watch(on_lock: impl Fn(OsLock) + Clone + Send + 'static) {
        let system = on_lock.clone();
        let _ =
            std::thread::Builder::new().name("os-lock-system".into()).spawn(move || match Connection::new_system() {
                Ok(c) => serve(c, |c| watch_system(c, system)),
                Err(e) => eprintln!("Banyan: no system bus, so no lock on sleep ({e})"),
            });
        let _ =
            std::thread::Builder::new().name("os-lock-session".into()).spawn(move || match Connection::new_session() {
                Ok(c) => serve(c, |c| watch_session(c, on_lock)),
                Err(e) => eprintln!("Banyan: no session bus, so no lock with the screen ({e})"),
            });
    }

    /// Sets up the matches, then handles signals until the bus goes away.
    pub fn serve(c: Connection, setup: impl FnOnce(&Connection) -> Result<(), dbus::Error>) {
        if let Err(e) = setup(&c) {
            eprintln!("Banyan: cannot watch the bus for screen lock and sleep ({e})");
            return;
        }
        while c.process(Duration::from_secs(3600)).is_ok() {}
    }

    /// logind's sleep signal, and the lock of this process's own login session.
    pub fn watch_system(c: &Connection, on_lock: impl Fn(OsLock) + Clone + Send + 'static) -> Result<(), dbus::Error> {
        let sleep = MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep").with_sender(LOGIND);
        let f = on_lock.clone();
        c.add_match(sleep, move |(going,): (bool,), _, _| {
            if going {
                f(OsLock::Sleep);
            }
            true
        })?;
        // The session this process runs in; without one (started outside a login) only sleep.
        let proxy = c.with_proxy(LOGIND, "/org/freedesktop/login1", Duration::from_secs(2));
        let own: Result<(dbus::Path<'static>,), _> =
            proxy.method_call("org.freedesktop.login1.Manager", "GetSessionByPID", (std::process::id(),));
        if let Ok((path,)) = own {
            let lock =
                MatchRule::new_signal("org.freedesktop.login1.Session", "Lock").with_sender(LOGIND).with_path(path);
            c.add_match(lock, move |(): (), _, _| {
                on_lock(OsLock::ScreenLocked);
                true
            })?;
        }
        Ok(())
    }

    /// The desktop's screensaver turning on (the screen locks with it).
    pub fn watch_session(c: &Connection, on_lock: impl Fn(OsLock) + Clone + Send + 'static) -> Result<(), dbus::Error> {
        for iface in SCREENSAVERS {
            let f = on_lock.clone();
            c.add_match(MatchRule::new_signal(iface, "ActiveChanged"), move |(active,): (bool,), _, _| {
                if active {
                    f(OsLock::ScreenLocked);
                }
                true
            })?;
        }
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use dbus::channel::{Channel, Sender};
        use dbus::message::Message;
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        use std::sync::mpsc;

        /// A private bus: a real dbus-daemon with the session configuration (anyone may own any
        /// name there, so the test can stand in for logind), stopped when dropped.
        struct Bus(std::process::Child, String);

        impl Bus {
            fn start() -> Bus {
                let mut child = Command::new("dbus-daemon")
                    .args(["--session", "--nofork", "--print-address=1", "--address=unix:tmpdir=/tmp"])
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("dbus-daemon (apt package dbus-daemon) runs");
                let mut line = String::new();
                std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
                Bus(child, line.trim().to_string())
            }
            fn connect(&self) -> Connection {
                let mut ch = Channel::open_private(&self.1).unwrap();
                ch.register().unwrap();
                Connection::from(ch)
            }
        }

        impl Drop for Bus {
            fn drop(&mut self) {
                let _ = self.0.kill();
                let _ = self.0.wait();
            }
        }

        /// Watches `bus` with `setup` on a thread; the locks it reports come out of the channel.
        fn watched(
            bus: &Bus,
            setup: fn(&Connection, mpsc::Sender<OsLock>) -> Result<(), dbus::Error>,
        ) -> mpsc::Receiver<OsLock> {
            let (tx, rx) = mpsc::channel();
            let (ready_tx, ready) = mpsc::channel();
            let c = bus.connect();
            std::thread::spawn(move || {
                setup(&c, tx).unwrap();
                ready_tx.send(()).unwrap();
                while c.process(Duration::from_millis(50)).is_ok() {}
            });
            ready.recv_timeout(Duration::from_secs(5)).unwrap();
            rx
        }

        fn signal(c: &Connection, path: &str, iface: &str, member: &str, arg: Option<bool>) {
            let mut m = Message::new_signal(path, iface, member).unwrap();
            if let Some(a) = arg {
                m = m.append1(a);
            }
            c.send(m).unwrap();
            c.channel().flush();
        }

        #[test]
        fn sleep_from_logind_locks_and_the_same_signal_from_another_program_does_not() {
            let bus = Bus::start();
            let locks = watched(&bus, |c, tx| watch_system(c, move |w| tx.send(w).unwrap()));
            let quiet = Duration::from_millis(400);
            // Anyone but logind: ignored.
            let stranger = bus.connect();
            signal(
                &stranger,
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                Some(true),
            );
            assert_eq!(locks.recv_timeout(quiet).ok(), None, "a program that is not logind locked Banyan");
            // logind waking up (false): nothing; going to sleep (true): a lock.
            let logind = bus.connect();
            logind.request_name(LOGIND, false, true, false).unwrap();
            signal(
                &logind,
                "/org/freedesktop/login1",
                "org.freedesktop.login1.Manager",
                "PrepareForSleep",
                Some(false),
            );
            assert_eq!(locks.recv_timeout(quiet).ok(), None, "waking up locked Banyan");
            signal(&logind, "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep", Some(true));
            assert_eq!(locks.recv_timeout(Duration::from_secs(5)).ok(), Some(OsLock::Sleep));
        }

        #[test]
        fn the_screensaver_turning_on_locks_and_turning_off_does_not() {
            let bus = Bus::start();
            let locks = watched(&bus, |c, tx| watch_session(c, move |w| tx.send(w).unwrap()));
            let desktop = bus.connect();
            signal(&desktop, "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged", Some(false));
            assert_eq!(
                locks.recv_timeout(Duration::from_millis(400)).ok(),
                None,
                "the screensaver ending locked Banyan"
            );
            signal(&desktop, "/ScreenSaver", "org.freedesktop.ScreenSaver", "ActiveChanged", Some(true));
            assert_eq!(locks.recv_timeout(Duration::from_secs(5)).ok(), Some(OsLock::ScreenLocked));
            signal(&desktop, "/org/mate/ScreenSaver", "org.mate.ScreenSaver", "ActiveChanged", Some(true));
            assert_eq!(locks.recv_timeout(Duration::from_secs(5)).ok(), Some(OsLock::ScreenLocked));
        }
    }
}
