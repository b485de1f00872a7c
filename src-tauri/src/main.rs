//! Banyan desktop: the Tauri 2 shell. It builds the app state in `setup()`, wires the native menu,
//! and registers thin commands over the core façade (`commands.rs`). No business rule lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod menu;
mod oslock;
// The sync glue the CLI uses (pairing, rounds over crates/net), compiled in here as well: it
// cannot be a crate of its own while the `banyan` binary lives in the core's package (a crate
// that uses the core and is used by that package would be a cycle). The window pairs, invites
// and syncs; the hub's `serve` is the CLI's only.
#[path = "../../src/bin/banyan/sync.rs"]
#[allow(dead_code)]
mod peer;
mod state;
mod updates;

use state::AppState;
use std::time::Duration;
use tauri::Manager;

fn main() {
    let started = std::time::Instant::now();
    // The log first, so a panic anywhere after is in it (see `banyan::logging`; the folder is
    // Tauri's `app_log_dir`). A log that cannot start never keeps the window from opening.
    if let Some(opts) = banyan::logging::LogOptions::from_env("desktop") {
        let _ = banyan::logging::init(&opts);
    }
    let webview = tauri::webview_version().unwrap_or_default();
    banyan::api::set_shell(&format!("WebView {webview}"));
    tracing::info!(version = env!("CARGO_PKG_VERSION"), webview, "desktop started");
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        // Its commands are not granted to the web view (capabilities/default.json): the window
        // asks through `update_status` and the others in commands.rs.
        .plugin(match updates::signing_key() {
            Some(key) => tauri_plugin_updater::Builder::new().pubkey(key).build(),
            None => tauri_plugin_updater::Builder::new().build(),
        })
        .setup(move |app| {
            let state = AppState::start(app.handle(), started)?;
            let lang = state.lang();
            app.manage(state);
            // The main window, as tauri.conf.json describes it (`create: false` there so that it is
            // made here): a portable Banyan keeps the web view's data in `data/webview` too.
            let config = app
                .config()
                .app
                .windows
                .iter()
                .find(|w| w.label == "main")
                .cloned()
                .ok_or("tauri.conf.json has no main window")?;
            let mut window = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?;
            if let Some(dir) = banyan::home::current().ok().and_then(|h| h.webview()) {
                window = window.data_directory(dir);
            }
            window.build()?;
            // The unlock (Argon2id in passphrase mode) and the database's first reads run while
            // the window and the UI load; commands that need the book wait for it.
            let handle = app.handle().clone();
            std::thread::spawn(move || handle.state::<AppState>().open_at_start());
            menu::install(app.handle(), lang)?;
            // Updates, if IT turned them on: a check a few seconds after start (not to slow it),
            // then once a day (see updates.rs).
            app.manage(updates::Updates::default());
            let handle = app.handle().clone();
            updates::watch(app.handle(), Duration::from_secs(3), move || handle.state::<AppState>().update_plan());
            oslock::watch(app.handle());
            // The daily backup: checked a minute after start (a run missed while the PC was off
            // happens now) and every minute after, whether or not anyone is signed in.
            let handle = app.handle().clone();
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(60));
                    handle.state::<AppState>().backup_if_due();
                }
            });
            if std::env::var_os("BANYAN_BENCH").is_some() {
                println!("BENCH setup-done {:.2}", started.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(())
        })
        .on_menu_event(menu::on_event)
        .on_window_event(|window, event| {
            // Closing mid-import: the import is cancelled (and taken back whole), and the window
            // closes when it has returned; the UI says so meanwhile.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event
                && window.state::<AppState>().io.hold_close()
            {
                api.prevent_close();
                let _ = tauri::Emitter::emit(window, "closing", ());
            }
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("Banyan could not start its window");
}
