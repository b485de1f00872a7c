//! The native menu, localized by the core's Fluent bundles. Its items only tell the UI what the
//! user chose (a "menu" event); the UI decides what that means on the current screen.

use banyan::i18n::{Lang, Localizer};
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::{AppHandle, Emitter};

pub fn install(app: &AppHandle, lang: Lang) -> tauri::Result<()> {
    let l = Localizer::new(lang);
    let new_customer = MenuItem::with_id(app, "new-customer", l.t("menu-new-customer"), true, Some("CmdOrCtrl+N"))?;
    let new_order = MenuItem::with_id(app, "new-order", l.t("menu-new-order"), true, Some("CmdOrCtrl+Shift+N"))?;
    let import = MenuItem::with_id(app, "import", l.t("menu-import"), true, Some("CmdOrCtrl+I"))?;
    let export = MenuItem::with_id(app, "export", l.t("menu-export"), true, Some("CmdOrCtrl+E"))?;
    let settings = MenuItem::with_id(app, "settings", l.t("menu-settings"), true, Some("CmdOrCtrl+,"))?;
    let lock = MenuItem::with_id(app, "lock", l.t("menu-lock"), true, Some("CmdOrCtrl+L"))?;
    let quit = PredefinedMenuItem::quit(app, Some(&l.t("menu-quit")))?;
    let file = Submenu::with_items(
        app,
        l.t("menu-file"),
        true,
        &[
            &new_customer,
            &new_order,
            &PredefinedMenuItem::separator(app)?,
            &import,
            &export,
            &settings,
            &PredefinedMenuItem::separator(app)?,
            &lock,
            &quit,
        ],
    )?;
    let edit = Submenu::with_items(
        app,
        l.t("menu-edit"),
        true,
        &[
            &PredefinedMenuItem::undo(app, Some(&l.t("menu-undo")))?,
            &PredefinedMenuItem::redo(app, Some(&l.t("menu-redo")))?,
            &PredefinedMenuItem::separator(app)?,
            &PredefinedMenuItem::cut(app, Some(&l.t("menu-cut")))?,
            &PredefinedMenuItem::copy(app, Some(&l.t("menu-copy")))?,
            &PredefinedMenuItem::paste(app, Some(&l.t("menu-paste")))?,
            &PredefinedMenuItem::select_all(app, Some(&l.t("menu-select-all")))?,
        ],
    )?;
    let customers = MenuItem::with_id(app, "go-customers", l.t("menu-customers"), true, Some("CmdOrCtrl+1"))?;
    let orders = MenuItem::with_id(app, "go-orders", l.t("menu-orders"), true, Some("CmdOrCtrl+2"))?;
    let products = MenuItem::with_id(app, "go-products", l.t("menu-products"), true, Some("CmdOrCtrl+3"))?;
    let data = MenuItem::with_id(app, "go-data", l.t("menu-data"), true, Some("CmdOrCtrl+4"))?;
    let view = Submenu::with_items(app, l.t("menu-view"), true, &[&customers, &orders, &products, &data])?;
    let diagnostics = MenuItem::with_id(app, "save-diagnostics", l.t("menu-save-diagnostics"), true, None::<&str>)?;
    let help = Submenu::with_items(app, l.t("menu-help"), true, &[&diagnostics])?;
    let menu = Menu::with_items(app, &[&file, &edit, &view, &help])?;
    app.set_menu(menu)?;
    Ok(())
}

pub fn on_event(app: &AppHandle, event: MenuEvent) {
    let _ = app.emit("menu", event.id().0.as_str());
}
