# The desktop app's native menu (formatted by the Rust shell).

menu-file = File
menu-new-customer = New Customer
menu-new-order = New Order
menu-import = Import…
menu-export = Export…
menu-settings = Settings…
menu-lock = Lock Banyan
menu-quit = Quit Banyan
menu-edit = Edit
menu-undo = Undo
menu-redo = Redo
menu-cut = Cut
menu-copy = Copy
menu-paste = Paste
menu-select-all = Select All
menu-view = View
menu-customers = Customers
menu-orders = Orders
menu-products = Products
menu-data = Import, export & duplicates
menu-help = Help
menu-save-diagnostics = Save diagnostics…

## What the Linux packages say about the app (AppStream metainfo, desktop entry).
app-name = Banyan CRM
app-generic-name = Customer relationship management
# The desktop entry's search words, separated and ended by ";".
app-keywords = CRM;customers;sales;contacts;orders;
app-summary = Offline-first, encrypted customer book for sales and support teams
app-description-1 = Banyan CRM keeps your company's customers, contacts, activities, orders and products in an encrypted book on each desktop. It works with no network in the field and syncs with colleagues' desktops or an office hub when back, with no server to run.
app-description-2 = Search finds a customer as you type, by name, pinyin, initials, phone or e-mail. Imports read the Excel, WPS and CSV files real companies have, mark every bad cell and can be taken back whole. Users, roles and an audit trail say who may see and change what, and who did.
