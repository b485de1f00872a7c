// End-to-end through the real app: tauri-driver + WebKitWebDriver drive the built Banyan binary in
// a real window (under Xvfb in CI). Run by `cargo xtask test`, which builds the app, starts Xvfb
// and tauri-driver, and passes BANYAN_APP and BANYAN_SHOTS. Prints "N passed, N failed".
import { remote } from "webdriverio";
import * as OTPAuth from "otpauth";
import { execFileSync, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { chmodSync, copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const APP = process.env.BANYAN_APP;
const SHOTS = process.env.BANYAN_SHOTS;
/** The book the app opens (BANYAN_DB of the app), replaced by an older version's book at the end. */
const DB = process.env.BANYAN_E2E_DB;
/** The `banyan` command line, for what the admin does from a script. */
const CLI = process.env.BANYAN_CLI;
const PASSPHRASE = "e2e passphrase 2026";
const ADMIN = "li.na";
const ADMIN_PASSWORD = "E2E admin password 2026";
const NEW_ADMIN_PASSWORD = "E2E admin password 2027";
if (!APP || !SHOTS || !DB || !CLI) throw new Error("BANYAN_APP, BANYAN_SHOTS, BANYAN_E2E_DB and BANYAN_CLI must be set (run through `cargo xtask test`)");
mkdirSync(SHOTS, { recursive: true });

let passed = 0;
let failed = 0;
const failures = [];

/** A new window of the app (a new process), with `args` on its command line; `application`
 *  another program to start (a script that starts the app another way). */
async function openWindow(args = [], application = APP) {
  return remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "error",
    connectionRetryTimeout: 120_000,
    capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application, args } },
  });
}

async function session() {
  return openWindow();
}

const byTest = (b, id) => b.$(`[data-testid="${id}"]`);
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/import");

async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    failures.push(`${name}: ${e?.message ?? e}`);
    console.log(`FAIL ${name}: ${e?.stack ?? e}`);
    throw e;
  }
}

async function shot(b, name) {
  await b.pause(500); // a DOM change needs a frame or two before it is on screen
  await b.saveScreenshot(join(SHOTS, `${name}.png`));
}

/** Waits until the element's text satisfies `pred`. textContent, not WebKitWebDriver's getText,
 *  which leaves out text inside nested inline elements. */
async function text(el) {
  return ((await el.getProperty("textContent")) ?? "").replace(/\s+/g, " ").trim();
}

async function waitText(el, pred, what, timeout = 10_000) {
  await el.waitForExist({ timeout, timeoutMsg: `timed out waiting for ${what} to appear` });
  let last = "";
  try {
    await el.waitUntil(
      async () => {
        last = await text(el);
        return pred(last);
      },
      { timeout },
    );
  } catch {
    throw new Error(`timed out waiting for ${what} (last text: "${last}")`);
  }
}

async function setLang(b, lang) {
  await (await byTest(b, "lang-switch")).selectByAttribute("value", lang);
  await b.pause(300);
}

async function typeInto(el, text) {
  await el.clearValue();
  await el.addValue(text);
}

/** Types a login and a password into the sign-in screen and submits them. */
async function signIn(b, login, password) {
  await typeInto(await byTest(b, "sign-in-login"), login);
  await (await byTest(b, "sign-in-password")).setValue(password);
  await (await byTest(b, "sign-in-submit")).click();
}

/** Opens the passphrase-protected book at start and waits for the sign-in screen. */
async function unlockBook(b, passphrase) {
  await (await byTest(b, "unlock")).waitForDisplayed({ timeout: 30_000 });
  await (await byTest(b, "unlock-passphrase")).setValue(passphrase);
  await (await byTest(b, "unlock-submit")).click();
  await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 30_000 });
}

const NAME = "诸葛孔明";
let orderNumber = "";

async function main() {
  let b = await session();
  try {
    await step("first run offers to create an encrypted book, in both languages", async () => {
      const form = await byTest(b, "first-run");
      await form.waitForDisplayed({ timeout: 30_000 });
      await shot(b, "first-run.en-US");
      await b.$("select").selectByAttribute("value", "zh-CN");
      await waitText(await b.$("h1"), (t) => t.includes("欢迎使用"), "Chinese title");
      await shot(b, "first-run.zh-CN");
      await b.$("select").selectByAttribute("value", "en-US");
      await (await byTest(b, "mode-passphrase")).click();
      await (await byTest(b, "passphrase")).setValue(PASSPHRASE);
      await (await byTest(b, "passphrase-confirm")).setValue(PASSPHRASE);
      const demo = await byTest(b, "demo-data");
      expect(!(await demo.isSelected()), "a real book starts without demo data");
      await demo.click();
      await (await byTest(b, "create-book")).click();
      // A new book has no users: its first admin is made next, with the password policy's
      // errors next to the field.
      await (await byTest(b, "first-admin")).waitForDisplayed({ timeout: 30_000 });
      await (await byTest(b, "admin-login")).setValue(ADMIN);
      await (await byTest(b, "admin-name")).setValue("李娜");
      await (await byTest(b, "admin-password")).setValue("password123");
      await (await byTest(b, "admin-password-confirm")).setValue("password123");
      await (await byTest(b, "first-admin-submit")).click();
      await waitText(await byTest(b, "admin-password-error"), (t) => t.includes("too easy to guess"), "the common-password error");
      await shot(b, "first-admin.en-US");
      await typeInto(await byTest(b, "admin-password"), ADMIN_PASSWORD);
      await typeInto(await byTest(b, "admin-password-confirm"), ADMIN_PASSWORD);
      await (await byTest(b, "first-admin-submit")).click();
      const count = await byTest(b, "customer-count");
      await count.waitForDisplayed({ timeout: 120_000 });
      await waitText(count, (t) => /500 customers/.test(t), "the demo book of 500 customers", 60_000);
      await waitText(await byTest(b, "signed-in-as"), (t) => t.includes("李娜"), "who is signed in");
      await shot(b, "customers.en-US");
    });

    await step("a bad email is rejected next to the field, then fixed and saved", async () => {
      await (await byTest(b, "new-customer")).click();
      await (await byTest(b, "field-name")).setValue(NAME);
      await (await byTest(b, "field-phone-0")).setValue("139 1234 0001");
      await (await byTest(b, "field-email-0")).setValue("kongming@");
      await (await byTest(b, "field-city")).setValue("成都");
      await (await byTest(b, "form-save")).click();
      const err = await byTest(b, "error-email-0");
      await err.waitForDisplayed({ timeout: 10_000 });
      await waitText(err, (t) => t.includes("not a valid email address"), "the email error");
      await shot(b, "customer-form-error.en-US");
      await typeInto(await byTest(b, "field-email-0"), "kongming@shu.example.cn");
      await (await byTest(b, "form-save")).click();
      await waitText(await byTest(b, "record-name"), (t) => t === NAME, "the saved record");
      await shot(b, "customer-record.en-US");
      await (await byTest(b, "record-show-history")).click();
      await waitText(await byTest(b, "record-history"), (t) => t.includes("成都") && t.includes("李娜"), "the record's history: its city, and by whom");
      await (await byTest(b, "record-history")).scrollIntoView();
      await shot(b, "customer-history.en-US");
    });

    await step("the customer is found by typing pinyin initials and part of the name", async () => {
      const search = await byTest(b, "customer-search");
      for (const q of ["zgkm", "孔明", "0001"]) {
        await typeInto(search, q);
        const first = await byTest(b, "customer-row");
        await waitText(first, (t) => t.includes(NAME), `"${q}" to find ${NAME}`);
      }
      await shot(b, "customer-search.en-US");
      await search.click();
      await b.keys("Enter");
      await waitText(await byTest(b, "record-name"), (t) => t === NAME, "Enter to open the record");
    });

    await step("an order with two lines and a discount shows the core's total", async () => {
      await (await byTest(b, "record-new-order")).click();
      await (await byTest(b, "order-editor")).waitForDisplayed();
      await waitText(await byTest(b, "order-customer"), (t) => t === NAME, "the customer on the order");
      await (await byTest(b, "line-product-0")).selectByAttribute("value", "TEA-LJ-250");
      await typeInto(await byTest(b, "line-qty-0"), "2");
      await typeInto(await byTest(b, "line-discount-0"), "10");
      await (await byTest(b, "add-line")).click();
      await (await byTest(b, "line-product-1")).selectByAttribute("value", "SVC-INSTALL");
      // 2 × 268.00 − 10 % = 482.40, + 13 % = 545.11; 300.00 + 6 % = 318.00; total 863.11
      await waitText(await byTest(b, "order-total"), (t) => t.includes("863.11"), "total 863.11");
      await (await byTest(b, "order-save")).click();
      await waitText(await byTest(b, "order-status"), (t) => t === "Draft", "a saved draft");
      orderNumber = (await text(await b.$('[data-testid="order-editor"] h1'))).replace("Order ", "");
      expect(/^[0-9A-Z]{5}-\d{6}$/.test(orderNumber), `an order number, got "${orderNumber}"`);
      await shot(b, "order-editor.en-US");
    });

    await step("the order moves draft → confirmed → fulfilled → paid, with only legal moves offered", async () => {
      expect(!(await (await byTest(b, "order-move-paid")).isExisting()), "paid is not offered on a draft");
      for (const [move, label] of [["confirmed", "Confirmed"], ["fulfilled", "Fulfilled"], ["paid", "Paid"]]) {
        await (await byTest(b, `order-move-${move}`)).click();
        await waitText(await byTest(b, "order-status"), (t) => t === label, label);
      }
      expect(!(await (await byTest(b, "order-move-cancelled")).isExisting()), "a paid order cannot be cancelled");
      // The footer's count and total are the core's, over the whole filter, per currency (the
      // demo book's orders are all in CN¥; drafts and cancelled ones are not in the total).
      const rows = (await b.$$('[data-testid="order-row"]')).length;
      await waitText(
        await byTest(b, "orders-summary"),
        (t) => t.startsWith(`${rows} orders: CN¥`) && !t.includes("+"),
        `the total of the ${rows} orders listed`,
      );
      await shot(b, "orders.en-US");
    });

    await step("the other screens render in English", async () => {
      await (await b.$('[data-nav="products"]')).click();
      await (await byTest(b, "product-row")).waitForDisplayed();
      await shot(b, "products.en-US");
      await (await b.$('[data-nav="settings"]')).click();
      await (await byTest(b, "settings-lang")).waitForDisplayed();
      await shot(b, "settings.en-US");
    });

    await step("the privacy officer records a consent, exports a person's data and erases them", async () => {
      const person = "欧阳隐私";
      await (await b.$('[data-nav="customers"]')).click();
      await (await byTest(b, "new-customer")).click();
      await (await byTest(b, "field-name")).setValue(person);
      await (await byTest(b, "field-phone-0")).setValue("139 8765 4321");
      await (await byTest(b, "form-save")).click();
      await waitText(await byTest(b, "record-name"), (t) => t === person, "the new record");
      await (await byTest(b, "consent-channel")).selectByAttribute("value", "phone");
      await (await byTest(b, "consent-given")).click();
      await waitText(await byTest(b, "consent-row"), (t) => t.includes("Marketing") && t.includes("given") && t.includes("Phone") && t.includes("李娜"), "the consent recorded");
      const dir = join(SHOTS, "privacy-request");
      await typeInto(await byTest(b, "privacy-export-path"), dir);
      await (await byTest(b, "privacy-export")).click();
      await waitText(await byTest(b, "privacy-export-done"), (t) => t.startsWith("7 files written"), "the access request's files");
      expect(existsSync(dir), "the export folder exists");
      await (await byTest(b, "record-privacy")).scrollIntoView();
      await shot(b, "customer-privacy.en-US");
      await (await byTest(b, "privacy-erase")).click();
      await waitText(await byTest(b, "privacy-error"), (t) => t.includes("Say why"), "an erasure needs a reason");
      await typeInto(await byTest(b, "privacy-erase-reason"), "request by phone 2026-12-04");
      await (await byTest(b, "privacy-erase")).click();
      await (await byTest(b, "confirm-ok")).click();
      const search = await byTest(b, "customer-search");
      await search.waitForDisplayed();
      await typeInto(search, person);
      await b.waitUntil(async () => {
        for (const row of await b.$$('[data-testid="customer-row"]')) if ((await row.getText()).includes(person)) return false;
        return true;
      }, { timeout: 10_000, timeoutMsg: "the erased person is gone from the list" });
      await search.clearValue();
    });

    await step("the admin checks that history is intact, keeps its checkpoints elsewhere and adds a script's account", async () => {
      await (await b.$('[data-nav="settings"]')).click();
      // This desktop's idle time, chosen below the 10-minute default.
      await (await byTest(b, "settings-idle")).selectByAttribute("value", "5");
      await waitText(await byTest(b, "idle-lock-note"), (t) => t.includes("after 5 minutes"), "the idle time chosen");
      await (await byTest(b, "audit-panel")).scrollIntoView();
      await (await byTest(b, "audit-verify")).click();
      await waitText(await byTest(b, "audit-result"), (t) => t.startsWith("History intact"), "the history checked intact");
      expect((await b.$$('[data-testid="audit-chain"]')).length >= 2, "both chains of this desktop listed");
      expect(await (await byTest(b, "audit-no-held")).isExisting(), "no word that only the book's own checkpoints were checked");
      const held = join(SHOTS, "checkpoints.json");
      await typeInto(await byTest(b, "audit-save-path"), held);
      await (await byTest(b, "audit-save")).click();
      await waitText(await byTest(b, "audit-saved"), (t) => / checkpoints written to /.test(t), "the checkpoints saved");
      expect(existsSync(held), "the checkpoints file exists");
      await typeInto(await byTest(b, "audit-held-path"), held);
      await (await byTest(b, "audit-verify")).click();
      await waitText(await byTest(b, "audit-result"), (t) => t.startsWith("History intact"), "intact against the kept checkpoints");
      expect(!(await byTest(b, "audit-no-held").isExisting()), "still told only the book's checkpoints were checked");
      const events = await text(await byTest(b, "audit-events"));
      expect(events.includes("Personal data exported") && events.includes("Person erased"), `the access request and the erasure among the events: ${events.slice(0, 300)}`);
      expect(!events.includes("欧阳隐私"), "an erased person's name is in the audit events");
      await (await byTest(b, "audit-panel")).scrollIntoView();
      await shot(b, "settings-audit.en-US");
      await (await byTest(b, "users-add")).click();
      await typeInto(await byTest(b, "users-login"), "erp-sync");
      await typeInto(await byTest(b, "users-name"), "ERP sync");
      await (await byTest(b, "users-service")).click();
      expect(!(await byTest(b, "users-password").isExisting()), "a password asked for a service account");
      await (await byTest(b, "users-save")).click();
      const token = (await text(await byTest(b, "users-token-value"))).trim();
      expect(/^bnyn_erp-sync_[0-9a-f]{64}$/.test(token), `a token shown: ${token}`);
      const listed = execFileSync(CLI, ["--db", DB, "--json", "customer", "list"], {
        env: { ...process.env, BANYAN_PASSPHRASE: PASSPHRASE, BANYAN_TOKEN: token },
      }).toString();
      expect(Array.isArray(JSON.parse(listed)), `the script signs in with the token: ${listed}`);
    });

    await step("the main screen warns that the book was never backed up; the admin sets a folder and a backup passphrase, backs up, and the warning goes", async () => {
      await (await b.$('[data-nav="customers"]')).click();
      await waitText(await byTest(b, "health-banner"), (t) => t.includes("never been backed up"), "the warning that there is no backup");
      await (await b.$('[data-nav="settings"]')).click();
      await (await byTest(b, "backups-panel")).scrollIntoView();
      const folder = join(SHOTS, "backups");
      rmSync(folder, { recursive: true, force: true });
      mkdirSync(folder, { recursive: true });
      await typeInto(await byTest(b, "backup-folder"), folder);
      await (await byTest(b, "backup-folder-save")).click();
      await waitText(await byTest(b, "backup-note"), (t) => t.includes("from now on"), "the folder saved");
      await (await byTest(b, "backup-now")).click();
      await waitText(await byTest(b, "backup-error"), (t) => t.includes("backup passphrase"), "no backup without a way to open it elsewhere");
      await typeInto(await byTest(b, "backup-passphrase"), "short");
      await (await byTest(b, "backup-passphrase-save")).click();
      await (await b.$('[data-testid="backups-panel"] .field-error')).waitForDisplayed({ timeout: 10_000 });
      await typeInto(await byTest(b, "backup-passphrase"), "e2e backup passphrase");
      await (await byTest(b, "backup-passphrase-save")).click();
      await waitText(await byTest(b, "backup-note"), (t) => t.includes("passphrase saved"), "the backup passphrase saved");
      await (await byTest(b, "backup-now")).click();
      await waitText(await byTest(b, "backup-note"), (t) => t.startsWith("Backed up:"), "the backup made and verified", 60_000);
      const rows = await b.$$('[data-testid="backup-list"] tbody tr');
      expect(rows.length >= 1, "the backup listed");
      const files = readdirSync(folder);
      expect(files.some((f) => f.endsWith(".bkp")) && files.some((f) => f.endsWith(".bkp.manifest.json")), `the backup and its manifest in the folder: ${files}`);
      expect(!(await byTest(b, "health-warnings").isExisting()), "health still warns after the backup");
      await (await byTest(b, "backups-panel")).scrollIntoView();
      await shot(b, "settings-backups.en-US");
      await (await b.$('[data-nav="customers"]')).click();
      await b.waitUntil(async () => !(await (await byTest(b, "health-banner")).isExisting()), { timeout: 10_000, timeoutMsg: "the warning stays after the backup" });
    });

    await step("a restore from Settings says what it will lose, loses it, and is undone; Help → Save diagnostics lists its files and saves them", async () => {
      const cliEnv = { ...process.env, BANYAN_PASSPHRASE: PASSPHRASE, BANYAN_USER: ADMIN, BANYAN_PASSWORD: ADMIN_PASSWORD };
      const names = () => JSON.parse(execFileSync(CLI, ["--db", DB, "--json", "customer", "list"], { env: cliEnv }).toString()).map((c) => c.name);
      execFileSync(CLI, ["--db", DB, "customer", "add", "--kind", "person", "--name", "Restore Probe"], { env: cliEnv });
      await (await b.$('[data-nav="settings"]')).click();
      await (await byTest(b, "backups-panel")).scrollIntoView();
      await (await byTest(b, "backup-restore")).click();
      await waitText(await byTest(b, "restore-loses"), (t) => /\d+ changes made since the backup would be lost/.test(t), "what the restore would lose");
      await (await byTest(b, "restore-preview")).scrollIntoView();
      await shot(b, "settings-restore-preview.en-US");
      await (await byTest(b, "restore-confirm")).click();
      await waitText(await byTest(b, "restore-note"), (t) => t.startsWith("Restored the backup"), "the restore done", 60_000);
      expect(!names().includes("Restore Probe"), "the customer made after the backup is gone");
      await (await byTest(b, "restore-undo")).click();
      await waitText(await byTest(b, "restore-note"), (t) => t.includes("undone"), "the restore undone", 60_000);
      expect(names().includes("Restore Probe"), "the undo brings the customer back");

      await (await byTest(b, "diagnostics-open")).click();
      // The list comes from the core after the dialog opens (manifest.json is there at once).
      await waitText(await byTest(b, "diagnostics-entries"), (t) => t.includes("versions.json") && t.includes("health.json") && t.includes("logs/desktop."), "the files listed before saving", 20_000);
      await shot(b, "diagnostics.en-US");
      const zip = join(SHOTS, "diagnostics.zip");
      rmSync(zip, { force: true });
      await typeInto(await byTest(b, "diagnostics-path"), zip);
      await (await byTest(b, "diagnostics-save")).click();
      await waitText(await byTest(b, "diagnostics-saved"), (t) => t.includes(zip), "the zip saved");
      const bytes = readFileSync(zip);
      // A zip's central directory names its files in clear.
      expect(bytes.includes("logs/desktop.") && bytes.includes("manifest.json"), "the zip holds the window's log and its manifest");
      expect(!bytes.includes(NAME) && !bytes.includes("Restore Probe"), "no customer in the diagnostics");
      await (await byTest(b, "diagnostics-close")).click();
      // The window's log, in the folder IT finds it in: what happened, no customer.
      const logs = process.env.BANYAN_E2E_LOGS;
      const log = readdirSync(logs).filter((f) => f.startsWith("desktop.")).map((f) => readFileSync(join(logs, f), "utf8")).join("");
      expect(log.includes('"message":"desktop started"') && log.includes('"webview":"') && log.includes('"message":"restored"'), "the log tells the start (with the WebView's version) and the restore");
      expect(!log.includes(NAME) && !log.includes("Restore Probe"), "no customer in the log");
    });

    await step("a file with bad rows is previewed with each problem marked, imported, and undone", async () => {
      await (await b.$('[data-nav="data"]')).click();
      await typeInto(await byTest(b, "import-path"), join(FIXTURES, "bad-rows.csv"));
      await (await byTest(b, "import-preview")).click();
      await waitText(await byTest(b, "import-summary"), (t) => t.includes("3 with problems"), "the preview summary");
      await waitText(await byTest(b, "import-row-issues"), (t) => t.includes("Row 3") && t.includes("required"), "row 3's problem");
      const marked = await b.$$("td.cellbad");
      expect(marked.length === 3, `3 marked cells, got ${marked.length}`);
      await shot(b, "import-preview.en-US");
      await (await byTest(b, "import-run")).click();
      // The row without a name is refused; a bad phone or email is left out of a row imported all
      // the same, and each problem is listed.
      await waitText(await byTest(b, "import-result"), (t) => t.includes("4 created") && t.includes("1 refused") && t.includes("not a valid email"), "the import result");
      await shot(b, "import-result.en-US");
      await (await byTest(b, "import-undo")).click();
      await waitText(await byTest(b, "import-undone"), (t) => t.includes("4 customers removed"), "the undo");
    });

    await step("look-alike customers are found and merged; the book exports to Excel", async () => {
      // The same two people imported twice with "add it anyway" make two duplicate pairs.
      for (let i = 0; i < 2; i++) {
        await typeInto(await byTest(b, "import-path"), join(FIXTURES, "utf8-bom.csv"));
        await (await byTest(b, "import-preview")).click();
        await (await byTest(b, "import-summary")).waitForDisplayed();
        await (await byTest(b, "import-on-duplicate")).selectByAttribute("value", "create");
        await (await byTest(b, "import-run")).click();
        await waitText(await byTest(b, "import-result"), (t) => t.includes("2 created"), "the second import");
      }
      await (await b.$('[data-tab="duplicates"]')).click();
      await waitText(await byTest(b, "duplicate-pair"), (t) => t.includes("张三丰") || t.includes("李四"), "a duplicate pair");
      await shot(b, "duplicates.en-US");
      const before = (await b.$$('[data-testid="duplicate-pair"]')).length;
      await (await byTest(b, "duplicate-merge")).click();
      await (await byTest(b, "merge-view")).waitForDisplayed();
      await shot(b, "merge.en-US");
      await (await byTest(b, "merge-run")).click();
      await b.waitUntil(async () => (await b.$$('[data-testid="duplicate-pair"]')).length === before - 1, {
        timeout: 10_000,
        timeoutMsg: "the merged pair is gone from the list",
      });
      await (await b.$('[data-tab="export"]')).click();
      await (await byTest(b, "export-format")).selectByAttribute("value", "xlsx");
      const out = join(SHOTS, "export-e2e.xlsx");
      await typeInto(await byTest(b, "export-path"), out);
      await (await byTest(b, "export-run")).click();
      await waitText(await byTest(b, "export-done"), (t) => /Exported 50\d customers/.test(t), "the export");
      expect(existsSync(out), "the exported workbook exists");
      await shot(b, "export.en-US");
      await (await b.$('[data-tab="history"]')).click();
      await (await byTest(b, "import-history")).waitForDisplayed();
      await shot(b, "import-history.en-US");
    });

    await step("switching to 简体中文 translates the screens without a restart", async () => {
      await setLang(b, "zh-CN");
      await waitText(await b.$('[data-nav="customers"]'), (t) => t === "客户", "the Chinese navigation");
      await shot(b, "settings.zh-CN");
      await (await b.$('[data-nav="products"]')).click();
      await shot(b, "products.zh-CN");
      await (await b.$('[data-nav="orders"]')).click();
      const row = await byTest(b, "order-row");
      await waitText(row, (t) => t.includes("已付款"), "the translated status");
      await (await row.$("td")).click();
      await (await byTest(b, "order-editor")).waitForDisplayed();
      await shot(b, "orders.zh-CN");
      await (await b.$('[data-nav="customers"]')).click();
      await waitText(await byTest(b, "customer-count"), (t) => t.includes("位客户"), "the Chinese count");
      await shot(b, "customers.zh-CN");
      await typeInto(await byTest(b, "customer-search"), "诸葛");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes(NAME), "the search hit");
      await shot(b, "customer-search.zh-CN");
      await (await byTest(b, "customer-row")).click();
      await waitText(await byTest(b, "record-name"), (t) => t === NAME, "the record");
      await shot(b, "customer-record.zh-CN");
      await (await byTest(b, "record-edit")).click();
      await typeInto(await byTest(b, "field-email-0"), "坏邮箱@");
      await (await byTest(b, "form-save")).click();
      await waitText(await byTest(b, "error-email-0"), (t) => t.includes("不是有效的邮箱地址"), "the Chinese email error");
      await shot(b, "customer-form-error.zh-CN");
      await (await b.$('[data-nav="data"]')).click();
      await typeInto(await byTest(b, "import-path"), join(FIXTURES, "gbk.csv"));
      await (await byTest(b, "import-preview")).click();
      await waitText(await byTest(b, "import-facts"), (t) => t.includes("GB18030"), "the detected GBK encoding");
      await shot(b, "import-preview.zh-CN");
      await (await byTest(b, "import-run")).click();
      await waitText(await byTest(b, "import-result"), (t) => t.includes("导入完成"), "the Chinese import result");
      await shot(b, "import-result.zh-CN");
      await (await b.$('[data-tab="history"]')).click();
      await waitText(await byTest(b, "import-history"), (t) => t.includes("gbk.csv"), "the import in the history");
      await shot(b, "import-history.zh-CN");
      await (await b.$('[data-tab="duplicates"]')).click();
      await (await byTest(b, "duplicate-pair")).waitForDisplayed();
      await shot(b, "duplicates.zh-CN");
      await (await byTest(b, "duplicate-merge")).click();
      await (await byTest(b, "merge-view")).waitForDisplayed();
      await shot(b, "merge.zh-CN");
      await (await b.$('[data-tab="export"]')).click();
      await shot(b, "export.zh-CN");
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }

  b = await session();
  try {
    await step("after a restart the book is locked, then unlocks with the passphrase and holds the data", async () => {
      const unlock = await byTest(b, "unlock");
      await unlock.waitForDisplayed({ timeout: 30_000 });
      await shot(b, "unlock.zh-CN");
      await b.$("select").selectByAttribute("value", "en-US");
      await shot(b, "unlock.en-US");
      await (await byTest(b, "unlock-passphrase")).setValue("wrong passphrase");
      await (await byTest(b, "unlock-submit")).click();
      await waitText(await byTest(b, "unlock-error"), (t) => t.includes("Wrong passphrase"), "the wrong-passphrase message");
      await (await byTest(b, "unlock-passphrase")).setValue(PASSPHRASE);
      await (await byTest(b, "unlock-submit")).click();
      // The book is open; its user signs in. A wrong password and an unknown login read alike.
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 30_000 });
      await shot(b, "sign-in.en-US");
      await signIn(b, ADMIN, "not the password");
      await waitText(await byTest(b, "sign-in-error"), (t) => t === "Wrong login, password or authenticator code.", "the sign-in error");
      const wrongPassword = await text(await byTest(b, "sign-in-error"));
      await signIn(b, "nobody.here", "not the password");
      await b.pause(1500);
      expect((await text(await byTest(b, "sign-in-error"))) === wrongPassword, "an unknown login reads like a wrong password");
      await signIn(b, ADMIN, ADMIN_PASSWORD);
      await typeInto(await byTest(b, "customer-search"), "zgkm");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes(NAME), "the customer after restart");
      await (await b.$('[data-nav="orders"]')).click();
      await waitText(await byTest(b, "order-row"), (t) => t.includes(orderNumber) && t.includes("Paid"), "the paid order after restart");
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }
  // A book made by schema 5 (tests/fixtures/books/v5) in place of the e2e book: opening it
  // updates it (log migration, then the new search index) and says where the snapshot went.
  const V5 = join(dirname(fileURLToPath(import.meta.url)), "../../tests/fixtures/books/v5");
  for (const f of ["", "-wal", "-shm", ".key.json"]) rmSync(DB + f, { force: true });
  copyFileSync(join(V5, "book.db"), DB);
  copyFileSync(join(V5, "book.db.key.json"), DB + ".key.json");
  b = await session();
  try {
    await step("a book made by an older version is updated as it opens, its snapshot named, and holds its customers", async () => {
      const unlock = await byTest(b, "unlock");
      await unlock.waitForDisplayed({ timeout: 30_000 });
      await (await byTest(b, "unlock-passphrase")).setValue("correct horse battery staple");
      await (await byTest(b, "unlock-submit")).click();
      // A book from before users asks for its first admin.
      await (await byTest(b, "first-admin")).waitForDisplayed({ timeout: 60_000 });
      await (await byTest(b, "admin-login")).setValue(ADMIN);
      await (await byTest(b, "admin-name")).setValue("Li Na");
      await (await byTest(b, "admin-password")).setValue(ADMIN_PASSWORD);
      await (await byTest(b, "admin-password-confirm")).setValue(ADMIN_PASSWORD);
      await (await byTest(b, "first-admin-submit")).click();
      const updated = await byTest(b, "book-updated");
      await waitText(updated, (t) => t.includes("updated to the new version") && t.includes(".snapshot"), "the update notice", 60_000);
      await shot(b, "book-updated.en-US");
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "a customer of the old book, found by the new index");
      // The admin adds a colleague in Settings; a common password is refused next to its field.
      await (await b.$('[data-nav="settings"]')).click();
      await (await byTest(b, "users-add")).click();
      await (await byTest(b, "users-login")).setValue("wang.fang");
      await (await byTest(b, "users-name")).setValue("Wang Fang");
      await (await byTest(b, "users-role")).selectByAttribute("value", "sales");
      await (await byTest(b, "users-team")).setValue("East");
      await (await byTest(b, "users-password")).setValue("password123");
      await (await byTest(b, "users-save")).click();
      await waitText(await b.$('[data-testid="users-form"] .field-error'), (t) => t.length > 0, "the password policy's message");
      await (await byTest(b, "users-password")).setValue("Wang Fang password 2026");
      await (await byTest(b, "users-save")).click();
      await b.waitUntil(async () => (await b.$$('[data-testid="user-row"]')).length === 2, { timeout: 10_000, timeoutMsg: "the new user's row" });
      const texts = [];
      for (const r of await b.$$('[data-testid="user-row"]')) texts.push(await r.getText());
      expect(texts.some((x) => x.includes("wang.fang") && x.includes("sales") && x.includes("East") && x.includes("Active")), `user rows: ${texts.join(" | ")}`);
      await shot(b, "users.en-US");
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }
  // A policy of 5 seconds' idle time (IT's `--idle-lock-seconds`): with no input the session
  // ends, the page drops every customer value, and only signing in brings them back.
  b = await openWindow(["--idle-lock-seconds", "5"]);
  try {
    await step("after 5 idle seconds Banyan locks and no customer is left in the page", async () => {
      await unlockBook(b, "correct horse battery staple");
      await signIn(b, ADMIN, ADMIN_PASSWORD);
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "the customer while signed in");
      await (await byTest(b, "customer-row")).click();
      await waitText(await byTest(b, "record-name"), (t) => t.includes("Anna Müller"), "her record open");
      const t0 = Date.now();
      const signInScreen = await byTest(b, "sign-in");
      await signInScreen.waitForDisplayed({ timeout: 15_000, timeoutMsg: "no lock after 15 s without input" });
      const after = (Date.now() - t0) / 1000;
      expect(after >= 3, `locked after ${after.toFixed(1)} s, before the policy's 5 s`);
      await waitText(await b.$("p.muted"), (t) => t.includes("locked itself"), "the idle-lock explanation");
      const html = await b.getPageSource();
      expect(!html.includes("Anna Müller") && !html.includes("Müller"), "a customer's name is still in the page after the lock");
      await shot(b, "idle-locked.en-US");
      await (await byTest(b, "sign-in-password")).setValue(ADMIN_PASSWORD);
      await (await byTest(b, "sign-in-submit")).click();
      await (await byTest(b, "customer-count")).waitForDisplayed({ timeout: 10_000 });
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }
  // The front desk: a support user the admin adds from the command line. The window offers
  // support only what its role allows (the core refuses the rest anyway).
  const DESK_PASSWORD = "Front desk password 2026";
  execFileSync(CLI, ["--db", DB, "user", "add", "desk", "--name", "Front Desk", "--role", "support"], {
    env: {
      ...process.env,
      BANYAN_PASSPHRASE: "correct horse battery staple",
      BANYAN_USER: ADMIN,
      BANYAN_PASSWORD: ADMIN_PASSWORD,
      BANYAN_NEW_PASSWORD: DESK_PASSWORD,
    },
  });
  b = await session();
  try {
    await step("support signs in and is offered no new customer, no deleting, no orders to make, no import or export", async () => {
      await unlockBook(b, "correct horse battery staple");
      await signIn(b, "desk", DESK_PASSWORD);
      await waitText(await byTest(b, "signed-in-as"), (t) => t.includes("Front Desk"), "signed in as the front desk");
      expect(!(await byTest(b, "new-customer").isExisting()), "support is offered New customer");
      expect(!(await b.$('[data-nav="data"]').isExisting()), "support is offered the import and export screen");
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "support finds a customer");
      await (await byTest(b, "customer-row")).click();
      await waitText(await byTest(b, "record-name"), (t) => t.includes("Anna Müller"), "her record open for support");
      expect(await (await byTest(b, "record-edit")).isExisting(), "support may edit a customer's details");
      expect(!(await byTest(b, "record-delete").isExisting()), "support is offered Delete");
      expect(!(await byTest(b, "record-new-order").isExisting()), "support is offered New order");
      await shot(b, "support-record.en-US");
    });
    await step("support sees the orders, not what they are worth", async () => {
      await (await b.$('[data-nav="orders"]')).click();
      await (await byTest(b, "order-row")).waitForDisplayed({ timeout: 10_000 });
      await waitText(await byTest(b, "orders-summary"), (t) => t.includes("amounts hidden"), "the orders' totals said to be hidden");
      expect(!(await byTest(b, "new-order").isExisting()), "support is offered New order on the orders screen");
      await (await (await byTest(b, "order-row")).$("td")).click();
      await (await byTest(b, "order-editor")).waitForDisplayed();
      await waitText(await byTest(b, "order-total"), (t) => t === "hidden", "an open order's total hidden");
      expect(!(await byTest(b, "order-save").isExisting()), "support is offered Save on an order");
      expect(!(await b.$('[data-testid^="order-move-"]').isExisting()), "support is offered a status change");
      const html = await b.getPageSource();
      expect(!html.includes("863.11"), "an order's total is in the page");
      expect(!html.includes("CN¥"), "an amount is in the page");
      await shot(b, "support-orders.en-US");
    });
    await step("a role that requires an authenticator sends its user to set one up before any customer", async () => {
      await (await byTest(b, "lock")).click();
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 10_000 });
      await signIn(b, ADMIN, ADMIN_PASSWORD);
      await (await b.$('[data-nav="settings"]')).click();
      const box = await (await byTest(b, "role-mfa-support")).$("input");
      await box.click();
      await b.waitUntil(async () => (await byTest(b, "users-panel")).getText().then((t) => t.includes("Role support now requires")), { timeout: 10_000, timeoutMsg: "the policy saved" });
      await (await byTest(b, "lock")).click();
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 10_000 });
      await signIn(b, "desk", DESK_PASSWORD);
      await (await byTest(b, "mfa-required")).waitForDisplayed({ timeout: 10_000 });
      expect(!(await byTest(b, "customer-search").isExisting()), "the customers are open before the authenticator is set up");
      await (await byTest(b, "mfa-password")).setValue(DESK_PASSWORD);
      await (await byTest(b, "mfa-begin")).click();
      const secret = (await text(await byTest(b, "mfa-secret"))).replace(/\s/g, "");
      expect(/^[A-Z2-7]{26,}$/.test(secret), `the key to type is base32: ${secret}`);
      const qr = await byTest(b, "mfa-qr");
      expect((await qr.getAttribute("src")).startsWith("data:image/svg+xml"), "the QR code is an SVG image");
      expect((await qr.getSize("width")) >= 150, "the QR code is big enough to scan");
      const html = await b.getPageSource();
      expect(!html.includes("Anna Müller"), "a customer's name is in the page during the set-up");
      await shot(b, "mfa-setup.en-US");
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 });
      await (await byTest(b, "mfa-code")).setValue("000000");
      await (await byTest(b, "mfa-confirm")).click();
      await waitText(await byTest(b, "mfa-error"), (t) => t.includes("not the code"), "a wrong code refused");
      await (await byTest(b, "mfa-code")).setValue(totp.generate());
      await (await byTest(b, "mfa-confirm")).click();
      const codes = await byTest(b, "mfa-recovery-codes");
      await codes.waitForDisplayed({ timeout: 10_000 });
      expect((await codes.$$("li")).length === 10, "ten recovery codes shown");
      await (await byTest(b, "mfa-done")).click();
      await waitText(await byTest(b, "signed-in-as"), (t) => t.includes("Front Desk"), "the front desk in, once set up");
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "support works again");
    });
    await step("when the desktop's screen locks, Banyan locks too and no customer is left in the page", async () => {
      await (await byTest(b, "customer-row")).click();
      await waitText(await byTest(b, "record-name"), (t) => t.includes("Anna Müller"), "her record open");
      // What GNOME's screensaver says on the session bus when the screen locks.
      execFileSync("dbus-send", ["--session", "--type=signal", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver.ActiveChanged", "boolean:true"]);
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 5_000, timeoutMsg: "no lock when the screen locked" });
      await waitText(await byTest(b, "sign-in-why"), (t) => t.includes("screen locked"), "the screen-lock explanation");
      const html = await b.getPageSource();
      expect(!html.includes("Müller"), "a customer's name is still in the page after the screen lock");
      await shot(b, "screen-locked.en-US");
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }
  b = await session();
  try {
    await step("the admin makes this a shared computer: the book then opens only by signing in, and closes when Banyan locks", async () => {
      await unlockBook(b, "correct horse battery staple");
      await signIn(b, ADMIN, ADMIN_PASSWORD);
      await (await byTest(b, "customer-count")).waitForDisplayed({ timeout: 10_000 });
      await (await b.$('[data-nav="settings"]')).click();
      await (await byTest(b, "make-shared")).click();
      await (await byTest(b, "make-shared-password")).setValue("not my password");
      await (await byTest(b, "make-shared-confirm")).click();
      await (await byTest(b, "make-shared-error")).waitForDisplayed({ timeout: 10_000 });
      await (await byTest(b, "make-shared-password")).setValue(ADMIN_PASSWORD);
      await (await byTest(b, "make-shared-confirm")).click();
      await waitText(await byTest(b, "make-shared-note"), (t) => t.includes("shared computer") && t.includes("desk"), "the users who still need a password here", 30_000);
      // The front desk's password does not open the book here until the admin sets it.
      const deskRow = async () => {
        for (const row of await b.$$('[data-testid="user-row"]')) if ((await text(row)).includes("Front Desk")) return row;
        throw new Error("no row for the front desk");
      };
      await b.waitUntil(async () => (await deskRow()).$('[data-testid="user-no-slot"]').isExisting(), { timeout: 10_000, timeoutMsg: "the front desk is not marked as unable to sign in here" });
      await (await (await deskRow()).$('[data-testid="user-set-password"]')).click();
      await (await byTest(b, "user-password-new")).setValue("Front desk password 2027");
      await (await byTest(b, "user-password-save")).click();
      await b.waitUntil(async () => !(await (await deskRow()).$('[data-testid="user-no-slot"]').isExisting()), { timeout: 10_000, timeoutMsg: "the front desk still cannot sign in here" });
      // The admin changes their own password: their key slot follows it.
      await (await byTest(b, "own-password-change")).click();
      await (await byTest(b, "own-password-current")).setValue(ADMIN_PASSWORD);
      await (await byTest(b, "own-password-new")).setValue(NEW_ADMIN_PASSWORD);
      await (await byTest(b, "own-password-save")).click();
      await waitText(await byTest(b, "own-password-note"), (t) => t.includes("changed"), "the password changed");
      await shot(b, "settings-shared.en-US");
      await (await byTest(b, "lock")).click();
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 10_000 });
      await b.waitUntil(async () => bookOpenIn().length === 0, { timeout: 10_000, timeoutMsg: `the book stays open after the lock: ${bookOpenIn()}` });
      await waitText(await byTest(b, "sign-in-shared"), (t) => t.includes("shared"), "the shared-computer note");
      // The old password opens nothing any more.
      await signIn(b, ADMIN, ADMIN_PASSWORD);
      await waitText(await byTest(b, "sign-in-error"), (t) => t === "Wrong login, password or authenticator code.", "the old password refused");
      expect(bookOpenIn().length === 0, "a wrong password left the book open");
      await shot(b, "shared-sign-in.en-US");
      await (await byTest(b, "sign-in-password")).setValue(NEW_ADMIN_PASSWORD);
      await (await byTest(b, "sign-in-submit")).click();
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "the customer on the shared computer");
      expect(bookOpenIn().length > 0, "the book is not open while signed in (the check itself is wrong)");
      await (await byTest(b, "lock")).click();
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 10_000 });
      await b.waitUntil(async () => bookOpenIn().length === 0, { timeout: 10_000, timeoutMsg: `the book stays open after the lock: ${bookOpenIn()}` });
      const html = await b.getPageSource();
      expect(!html.includes("Müller"), "a customer's name is still in the page after the lock");
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }
  // The next run of the app starts on the sign-in screen: no passphrase, no book open.
  b = await session();
  try {
    await step("a shared computer's Banyan starts with no book open and no passphrase to ask", async () => {
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 30_000 });
      expect(!(await byTest(b, "unlock").isExisting()), "a shared computer asks for a book passphrase");
      // (The last run's app may take a moment to exit: its files are not this one's.)
      await b.waitUntil(async () => bookOpenIn().length === 0, { timeout: 10_000, timeoutMsg: `the book is open before anyone signed in: ${bookOpenIn()}` });
      await signIn(b, ADMIN, NEW_ADMIN_PASSWORD);
      await (await byTest(b, "customer-count")).waitForDisplayed({ timeout: 15_000 });
    });
    await step("the admin copies a role and changes what it may do, cell by cell, from Settings", async () => {
      await (await b.$('[data-nav="settings"]')).click();
      await (await byTest(b, "roles-panel")).waitForDisplayed({ timeout: 10_000 });
      // A built-in role is shown, not changed.
      await (await byTest(b, "roles-select")).selectByAttribute("value", "support");
      expect(!(await (await byTest(b, "grant-customer-read")).isEnabled()), "a built-in role can be changed");
      await (await byTest(b, "roles-new-name")).setValue("desk-lead");
      await (await byTest(b, "roles-new-from")).selectByAttribute("value", "support");
      await (await byTest(b, "roles-add")).click();
      await waitText(await byTest(b, "roles-note"), (t) => t.includes("desk-lead"), "the new role added");
      const create = await byTest(b, "grant-customer-create");
      await b.waitUntil(() => create.isEnabled(), { timeout: 10_000, timeoutMsg: "the copied role cannot be changed" });
      await create.selectByAttribute("value", "all");
      await waitText(await byTest(b, "roles-note"), (t) => t.includes("Saved role desk-lead"), "the grant saved");
      await (await byTest(b, "field-rule-order.total")).selectByAttribute("value", "read");
      await b.waitUntil(async () => (await byTest(b, "roles-note")).isExisting(), { timeout: 10_000 });
      await b.pause(500);
      await shot(b, "settings-roles.en-US");
      // What the book now holds, as the command line reads it.
      const shown = JSON.parse(
        execFileSync(CLI, ["--db", DB, "--json", "role", "show", "desk-lead"], {
          env: { ...process.env, BANYAN_USER: ADMIN, BANYAN_PASSWORD: NEW_ADMIN_PASSWORD },
        }).toString(),
      );
      const customer = shown.grants.find((g) => g.entity === "customer" && g.actions.includes("create"));
      expect(customer?.scope === "all", `customer create not granted over all: ${JSON.stringify(shown.grants)}`);
      expect(shown.fields["order.total"] === "read", `order totals not readable: ${JSON.stringify(shown.fields)}`);
      expect(shown.fields["product.price"] === "hidden", "the copy lost support's hidden product prices");
    });
    await step("a role that hides customers' phones shows them as hidden on the record and in the form", async () => {
      // Still on the desk-lead role in Settings: its customers' phones become hidden.
      await (await byTest(b, "field-rule-customer.phones")).selectByAttribute("value", "hidden");
      await waitText(await byTest(b, "roles-note"), (t) => t.includes("Saved role desk-lead"), "the phone rule saved");
      await (await byTest(b, "users-add")).click();
      await (await byTest(b, "users-login")).setValue("lead");
      await (await byTest(b, "users-name")).setValue("Desk Lead");
      // The role added a moment ago in the Roles panel is offered (the form reads the roles as it opens).
      await b.waitUntil(async () => (await b.$('[data-testid="users-role"] option[value="desk-lead"]')).isExisting(), { timeout: 10_000, timeoutMsg: "the new role is not offered for a new user" });
      await (await byTest(b, "users-role")).selectByAttribute("value", "desk-lead");
      await (await byTest(b, "users-password")).setValue("Desk lead password 2026");
      await (await byTest(b, "users-save")).click();
      await b.waitUntil(async () => (await byTest(b, "users-panel")).getText().then((t) => t.includes("Desk Lead")), { timeout: 10_000, timeoutMsg: "the desk lead added" });
      await (await byTest(b, "lock")).click();
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 10_000 });
      await signIn(b, "lead", "Desk lead password 2026");
      await waitText(await byTest(b, "signed-in-as"), (t) => t.includes("Desk Lead"), "signed in as the desk lead", 15_000);
      await (await b.$('[data-nav="customers"]')).click();
      await (await byTest(b, "customer-count")).waitForDisplayed({ timeout: 10_000 });
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "the desk lead finds her by name");
      // Her number (+1 212 825 8417) finds nothing for this role.
      await typeInto(await byTest(b, "customer-search"), "2128258417");
      await b.waitUntil(async () => !(await byTest(b, "customer-row").isExisting()), { timeout: 10_000, timeoutMsg: "a hidden phone number still finds the customer" });
      await typeInto(await byTest(b, "customer-search"), "anna mu");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Anna Müller"), "her row listed again");
      await (await byTest(b, "customer-row")).click();
      await waitText(await byTest(b, "record-name"), (t) => t.includes("Anna Müller"), "her record open for the desk lead");
      await waitText(await byTest(b, "record-hidden-phones"), (t) => t === "hidden", "the phones said to be hidden");
      let html = await b.getPageSource();
      expect(!html.includes("8258417") && !html.includes("825 8417"), "her phone number is in the page");
      await shot(b, "record-hidden-phone.en-US");
      await (await byTest(b, "record-edit")).click();
      await waitText(await byTest(b, "form-hidden-phones"), (t) => t === "hidden", "the form shows the phones as hidden");
      expect(!(await byTest(b, "field-phone-0").isExisting()), "the form offers a phone to type");
      html = await b.getPageSource();
      expect(!html.includes("8258417") && !html.includes("825 8417"), "her phone number is in the form");
      await shot(b, "form-hidden-phone.en-US");
    });
  } finally {
    await b.deleteSession().catch(() => {});
  }
  await syncSteps();
}

/** Starts the CLI and resolves with its first line of output as JSON (an invitation, a hub's
 *  address) while it runs on. */
function startCli(args, env) {
  const child = spawn(CLI, args, { env: { ...process.env, ...env } });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  // Its exit code, whenever it comes (listened for from the start, so it is never missed).
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", (line) => resolve({ child, exited, first: JSON.parse(line) }));
    exited.then((code) => reject(new Error(`banyan ${args.join(" ")} exited with ${code}: ${err}`)));
  });
}

/** The company's update server: HTTPS on loopback with a certificate from a test CA the app is
 *  told to trust (BANYAN_UPDATE_CA, `dir`/update-ca.pem, debug builds only), offering 0.2.0. */
async function updateServer(dir) {
  const { createServer } = await import("node:https");
  const file = (name) => join(dir, name);
  const openssl = (...args) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("update-ca.key"), "-out", file("update-ca.pem"), "-days", "2", "-subj", "/CN=Banyan e2e update CA");
  openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("update.key"), "-out", file("update.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(file("update.ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl("x509", "-req", "-in", file("update.csr"), "-CA", file("update-ca.pem"), "-CAkey", file("update-ca.key"), "-CAcreateserial", "-out", file("update.pem"), "-days", "2", "-extfile", file("update.ext"));
  const requests = [];
  let connections = 0;
  let port = 0;
  const server = createServer({ key: readFileSync(file("update.key")), cert: readFileSync(file("update.pem")) }, (req, res) => {
    requests.push(req.url);
    if (req.url !== "/latest.json") {
      res.writeHead(404).end();
      return;
    }
    const manifest = {
      version: "0.2.0",
      notes: "- Faster imports.\n- Updates from your company's server.",
      pub_date: "2026-12-01T09:00:00Z",
      platforms: { "linux-x86_64": { url: `https://127.0.0.1:${port}/banyan-0.2.0.AppImage`, signature: "not downloaded in notify mode" } },
    };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(manifest));
  });
  server.on("connection", () => connections++);
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  port = server.address().port;
  return { url: `https://127.0.0.1:${port}/latest.json`, requests: () => requests, connections: () => connections, close: () => server.close() };
}

/** Waits until the page holds `what` (a value the screen shows somewhere). */
async function waitPage(b, what, desc, timeout = 15_000) {
  await b.waitUntil(async () => (await b.getPageSource()).includes(what), { timeout, timeoutMsg: `timed out waiting for ${desc}` });
}

/** Sync: the office hub is a book made with the command line; a new desktop joins it at first run
 *  with the code the hub shows, then syncs with it and settles a conflict from the window. */
async function syncSteps() {
  const dir = dirname(DB);
  const HUB = join(dir, "hub.db");
  const JOINED = join(dir, "joined.db");
  const HUB_ADMIN_PASSWORD = "Hub admin password 2026";
  const hubEnv = {
    BANYAN_PASSPHRASE: "hub passphrase 2026",
    BANYAN_USER: "admin",
    BANYAN_PASSWORD: HUB_ADMIN_PASSWORD,
    BANYAN_NEW_PASSWORD: HUB_ADMIN_PASSWORD,
    LANG: "en_US.UTF-8",
  };
  const hubCli = (...args) => JSON.parse(execFileSync(CLI, ["--db", HUB, "--json", ...args], { env: { ...process.env, ...hubEnv } }).toString());
  hubCli("init");
  hubCli("user", "add", "admin", "--name", "Hub Admin", "--role", "admin");
  const ruth = hubCli("customer", "add", "--kind", "person", "--name", "Ruth Quillfeather", "--city", "Boston").id;
  const invite = await startCli(["--db", HUB, "--json", "sync", "invite", "--listen", "127.0.0.1:0", "--name", "office-hub"], hubEnv);
  let hub = null;
  const b = await openWindow(["--db", JOINED]);
  try {
    await step("a new desktop joins the team's book with the code the hub shows, and finds its customers", async () => {
      await (await byTest(b, "first-run")).waitForDisplayed({ timeout: 30_000 });
      await (await byTest(b, "mode-join")).click();
      await typeInto(await byTest(b, "join-code"), invite.first.code);
      await typeInto(await byTest(b, "join-address"), invite.first.address);
      await typeInto(await byTest(b, "join-name"), "front-laptop");
      await (await byTest(b, "mode-passphrase")).click();
      await (await byTest(b, "passphrase")).setValue("joined passphrase 2026");
      await (await byTest(b, "passphrase-confirm")).setValue("joined passphrase 2026");
      await shot(b, "first-run-join.en-US");
      // Every step the join shows on its way (a small book passes them in a second or two).
      await b.execute(() => {
        window.__joinSteps = [];
        new MutationObserver(() => {
          const el = document.querySelector('[data-testid="join-progress"]');
          const t = el ? el.textContent.replace(/\s+/g, " ").trim() : "";
          if (t && window.__joinSteps.at(-1) !== t) window.__joinSteps.push(t);
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      await (await byTest(b, "join-book")).click();
      // The team's book has its people: they sign in with their accounts there.
      await (await byTest(b, "sign-in")).waitForDisplayed({ timeout: 60_000 });
      const steps = await b.execute(() => window.__joinSteps);
      expect(steps.some((t) => t.startsWith("Checking the book")), `the join showed its steps: ${JSON.stringify(steps)}`);
      await signIn(b, "admin", HUB_ADMIN_PASSWORD);
      await typeInto(await byTest(b, "customer-search"), "ruth");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Ruth Quillfeather"), "the hub's customer found here");
      const code = await invite.exited;
      expect(code === 0, `the hub's invitation ended with ${code}`);
    });
    hub = await startCli(["--db", HUB, "--json", "serve", "--sync", "--listen", "127.0.0.1:0"], hubEnv);
    const hubAddress = hub.first.listening;
    await step("a change made on the hub shows here after Sync now", async () => {
      hubCli("customer", "update", ruth, "--city", "Salem");
      await (await b.$('[data-nav="sync"]')).click();
      await typeInto(await byTest(b, "sync-peer"), hubAddress);
      await (await byTest(b, "sync-now")).click();
      await waitText(await byTest(b, "sync-round"), (t) => t.includes("With office-hub") && t.includes("received"), "the round's report");
      await waitText(await byTest(b, "sync-status"), (t) => t.includes("office-hub"), "the sidebar's sync status");
      await (await b.$('[data-nav="customers"]')).click();
      await typeInto(await byTest(b, "customer-search"), "ruth");
      await (await byTest(b, "customer-row")).click();
      await waitText(await byTest(b, "record-name"), (t) => t.includes("Ruth Quillfeather"), "her record");
      await waitPage(b, "Salem", "the city changed on the hub");
    });
    await step("one field changed here and on the hub waits with both values, and one click settles it everywhere", async () => {
      await (await byTest(b, "record-edit")).click();
      await typeInto(await byTest(b, "field-city"), "Lexington");
      await (await byTest(b, "form-save")).click();
      await waitPage(b, "Lexington", "the city saved here");
      hubCli("customer", "update", ruth, "--city", "Concord");
      await (await b.$('[data-nav="sync"]')).click();
      await (await byTest(b, "sync-now")).click();
      await waitText(await byTest(b, "sync-round"), (t) => t.includes("1 needs a decision"), "the conflict counted");
      await waitText(await byTest(b, "sync-waiting"), (t) => t === "1", "the sidebar's count of decisions");
      const conflict = await byTest(b, "sync-conflict");
      await waitText(conflict, (t) => t.includes("Ruth Quillfeather") && t.includes("Lexington") && t.includes("Concord") && t.includes("office-hub"), "both values, where they were made");
      await shot(b, "sync-conflict.en-US");
      await setLang(b, "zh-CN");
      await waitText(await byTest(b, "sync-conflict"), (t) => t.includes("在两个桌面上被修改"), "the conflict in Chinese");
      await shot(b, "sync-conflict.zh-CN");
      await setLang(b, "en-US");
      for (const side of await b.$$('[data-testid="sync-side"]')) {
        if ((await text(side)).includes("Lexington")) await (await side.$('[data-testid="sync-keep"]')).click();
      }
      await (await byTest(b, "sync-inbox-empty")).waitForDisplayed({ timeout: 10_000 });
      await (await byTest(b, "sync-now")).click();
      await waitText(await byTest(b, "sync-round"), (t) => t.includes("0 need a decision"), "the settlement sent");
      expect(hubCli("sync", "conflicts").length === 0, "the hub still has the conflict");
      const onHub = hubCli("customer", "get", ruth);
      expect(onHub.customer.city === "Lexington", `the hub shows ${onHub.customer.city}`);
      expect(!(await byTest(b, "sync-waiting").isExisting()), "the sidebar still counts a decision");
    });
    await step("staying in sync, a change made on the hub shows here without anyone asking", async () => {
      await (await byTest(b, "sync-live")).click();
      // The first live round runs at once; then the hub's change comes by itself.
      await waitText(await byTest(b, "sync-round"), (t) => t.includes("received 0"), "live sync's first round");
      hubCli("customer", "update", ruth, "--city", "Plymouth");
      await waitText(await byTest(b, "sync-round"), (t) => t.includes("received 1"), "the hub's change pulled by itself");
      await (await b.$('[data-nav="customers"]')).click();
      await typeInto(await byTest(b, "customer-search"), "ruth");
      await (await byTest(b, "customer-row")).click();
      await waitPage(b, "Plymouth", "the hub's change in her record");
      expect(hubCli("sync", "status").conflicts === 0, "live sync left a decision on the hub");
      // And this desktop's own change goes up by itself.
      await (await byTest(b, "record-edit")).click();
      await typeInto(await byTest(b, "field-city"), "Newport");
      await (await byTest(b, "form-save")).click();
      await b.waitUntil(async () => hubCli("customer", "get", ruth).customer.city === "Newport", { timeout: 15_000, timeoutMsg: "this desktop's change did not reach the hub" });
      await (await b.$('[data-nav="sync"]')).click();
      await shot(b, "sync-live.en-US");
    });
    await step("a customer deleted here and changed on the hub afterwards waits with Restore, and Restore brings her back with the change", async () => {
      // Not live for this one: the hub must not know of the deletion when it changes her.
      await (await byTest(b, "sync-live")).click();
      await b.waitUntil(async () => !(await (await byTest(b, "sync-live")).isSelected()), { timeout: 5_000, timeoutMsg: "live sync still on" });
      await (await b.$('[data-nav="customers"]')).click();
      await typeInto(await byTest(b, "customer-search"), "ruth");
      await (await byTest(b, "customer-row")).click();
      await (await byTest(b, "record-delete")).click();
      await (await byTest(b, "confirm-ok")).click();
      await b.waitUntil(async () => !(await byTest(b, "record-name").isExisting()), { timeout: 10_000, timeoutMsg: "her record still open after Delete" });
      await b.pause(20);
      hubCli("customer", "update", ruth, "--city", "Nantucket");
      await (await b.$('[data-nav="sync"]')).click();
      await (await byTest(b, "sync-now")).click();
      const conflict = await byTest(b, "sync-conflict");
      await waitText(conflict, (t) => t.includes("Ruth Quillfeather was deleted on one desktop") && t.includes("Changed afterwards: City"), "the deleted-and-changed decision");
      await shot(b, "sync-deleted-edited.en-US");
      await (await byTest(b, "sync-restore")).click();
      await (await byTest(b, "sync-inbox-empty")).waitForDisplayed({ timeout: 10_000 });
      await (await byTest(b, "sync-now")).click();
      await b.waitUntil(async () => {
        const r = hubCli("customer", "get", ruth);
        return !r.customer.deleted && r.customer.city === "Nantucket";
      }, { timeout: 15_000, timeoutMsg: "the hub does not show her restored with its change" });
      await (await b.$('[data-nav="customers"]')).click();
      await typeInto(await byTest(b, "customer-search"), "ruth");
      await waitText(await byTest(b, "customer-row"), (t) => t.includes("Ruth Quillfeather"), "her back in the list");
    });
    await step("the sync screen lists the book's desktops and invites another with a code, in both languages", async () => {
      await (await b.$('[data-nav="sync"]')).click();
      await waitText(await byTest(b, "sync-peers"), (t) => t.includes("office-hub") && t.includes("front-laptop") && t.includes("this desktop"), "both desktops listed");
      await (await byTest(b, "sync-invite")).click();
      await waitText(await byTest(b, "sync-invite-code"), (t) => /^\d{3} \d{3}$/.test(t), "a 6-digit code");
      await waitText(await byTest(b, "sync-invite-address"), (t) => t.startsWith("127.0.0.1:"), "the address to pair with");
      await shot(b, "sync-invite.en-US");
      await setLang(b, "zh-CN");
      await waitText(await byTest(b, "sync-peers"), (t) => t.includes("本桌面"), "the desktops in Chinese");
      await waitText(await byTest(b, "sync-me"), (t) => t.includes("front-laptop"), "this desktop keeps its name when it invites");
      await shot(b, "sync.zh-CN");
      await setLang(b, "en-US");
      await (await byTest(b, "sync-invite-cancel")).click();
      await (await byTest(b, "sync-invite")).waitForDisplayed({ timeout: 10_000 });
    });
    await step("a copy of this desktop's book is told so by the hub, takes a new identity from the sync screen, and then syncs", async () => {
      // The window closes its book; the file is copied (a new PC set up from the old one's disk),
      // and the original goes on: a change, synced, so the hub holds more of it than the copy.
      await b.deleteSession().catch(() => {});
      const COPY = join(dir, "copied.db");
      for (const ext of ["", ".key.json"]) copyFileSync(`${JOINED}${ext}`, `${COPY}${ext}`);
      const joinedEnv = { ...process.env, BANYAN_PASSPHRASE: "joined passphrase 2026", BANYAN_USER: "admin", BANYAN_PASSWORD: HUB_ADMIN_PASSWORD, LANG: "en_US.UTF-8" };
      const original = (...args) => JSON.parse(execFileSync(CLI, ["--db", JOINED, "--json", ...args], { env: joinedEnv }).toString());
      original("customer", "add", "--kind", "person", "--name", "Added On The Original");
      original("sync", "now", "--peer", hubAddress);
      const c = await openWindow(["--db", COPY]);
      try {
        await unlockBook(c, "joined passphrase 2026");
        await signIn(c, "admin", HUB_ADMIN_PASSWORD);
        await (await c.$('[data-nav="sync"]')).waitForDisplayed({ timeout: 30_000 });
        await (await c.$('[data-nav="sync"]')).click();
        await typeInto(await byTest(c, "sync-peer"), hubAddress);
        await (await byTest(c, "sync-now")).click();
        await waitText(await byTest(c, "sync-error"), (t) => t.includes("this book is a copy") && t.includes("New identity"), "the copy told what it is and what to do");
        await shot(c, "sync-copy-told.en-US");
        const before = await text(await byTest(c, "sync-me"));
        await setLang(c, "zh-CN");
        await (await byTest(c, "sync-new-identity")).click();
        await waitText(await byTest(c, "confirm-dialog"), (t) => t.includes("新身份"), "the dialog in Chinese");
        await shot(c, "sync-new-identity.zh-CN");
        await (await byTest(c, "confirm-ok")).click();
        await waitText(await byTest(c, "sync-note"), (t) => t.includes("新身份"), "the new identity confirmed");
        await setLang(c, "en-US");
        const after = await text(await byTest(c, "sync-me"));
        expect(after !== before, `the order code is new: ${before} / ${after}`);
        await (await byTest(c, "sync-now")).click();
        await waitText(await byTest(c, "sync-round"), (t) => t.includes("With office-hub") && t.includes("received"), "the round after the new identity");
        await (await c.$('[data-nav="customers"]')).click();
        await typeInto(await byTest(c, "customer-search"), "added on the original");
        await waitText(await byTest(c, "customer-row"), (t) => t.includes("Added On The Original"), "the original's later change arrived");
        const peers = hubCli("sync", "peers");
        expect(JSON.stringify(peers).includes("front-laptop"), `the hub lists the copy under the former name: ${JSON.stringify(peers)}`);
      } finally {
        await c.deleteSession().catch(() => {});
      }
    });
    await step("IT's policy turns import and export off and holds the language: the window greys them out naming the policy, in Chinese, its language switch locked", async () => {
      // Read by each window at its start: written before this one opens, removed after.
      const POLICY = join(dir, "policies.json");
      try {
        writeFileSync(POLICY, JSON.stringify({ policies: { ImportEnabled: false, ExportEnabled: false, Locale: "zh-CN", IdleLockMinutes: 0 }, recommended: { BackupSchedule: "02:00" } }));
        const p = await openWindow(["--db", join(dir, "copied.db")]);
        try {
          await unlockBook(p, "joined passphrase 2026");
          await signIn(p, "admin", HUB_ADMIN_PASSWORD);
          await (await p.$('[data-nav="data"]')).waitForDisplayed({ timeout: 30_000 });
          expect(!(await (await byTest(p, "lang-switch")).isEnabled()), "the language switch can still be used");
          await (await p.$('[data-nav="data"]')).click();
          await (await p.$('[data-tab="import"]')).click();
          await waitText(await byTest(p, "import-off"), (t) => t.includes("已被您的组织关闭") && t.includes("ImportEnabled"), "import turned off, naming the policy, in Chinese");
          expect(!(await byTest(p, "import-path").isExisting()), "the import form is still offered");
          await (await p.$('[data-tab="export"]')).click();
          await waitText(await byTest(p, "export-off"), (t) => t.includes("ExportEnabled"), "export turned off, naming the policy");
          expect(!(await (await byTest(p, "export-run")).isEnabled()), "Export can still be clicked");
          await shot(p, "policy-export-off.zh-CN");
          // Settings lists what IT set, by the names the Group Policy templates use, and the value
          // that was ignored, with why.
          await (await p.$('[data-nav="settings"]')).click();
          const panel = await byTest(p, "policies-panel");
          await panel.waitForDisplayed({ timeout: 10_000 });
          const texts = [];
          for (const r of await p.$$('[data-testid="policy-row"]')) texts.push(await r.getText());
          const row = (key) => texts.find((x) => x.includes(key)) ?? "";
          expect(row("ExportEnabled").includes("允许导出") && row("ExportEnabled").includes("已关闭") && row("ExportEnabled").includes("强制"), `export's row: ${row("ExportEnabled")}`);
          expect(row("Locale").includes("简体中文"), `the language's row: ${row("Locale")}`);
          expect(row("BackupSchedule").includes("02:00") && row("BackupSchedule").includes("推荐"), `the recommended backup time: ${row("BackupSchedule")}`);
          expect(!row("IdleLockMinutes"), "a value that was ignored is listed as in force");
          await waitText(await byTest(p, "policy-problems"), (t) => t.includes("IdleLockMinutes: 0 is not a whole number of minutes from 1 to 1440"), "the ignored value, with why");
          await panel.scrollIntoView();
          await shot(p, "policy-settings.zh-CN");
        } finally {
          await p.deleteSession().catch(() => {});
        }
        // A DatabaseDirectory the book cannot be kept in: the window shows only why, naming the
        // policy and the folder, and opens no book anywhere else.
        writeFileSync(POLICY, JSON.stringify({ policies: { DatabaseDirectory: "/proc/banyan-books", Locale: "zh-CN" } }));
        const q = await openWindow(["--db", join(dir, "copied.db")]);
        try {
          await waitText(await byTest(q, "blocked"), (t) => t.includes("DatabaseDirectory") && t.includes("/proc/banyan-books") && t.includes("无法创建或写入") && t.includes("客户库"), "the blocked screen, naming the policy and the folder, in Chinese");
          expect(!(await byTest(q, "passphrase").isExisting()) && !(await q.$('[data-nav="customers"]').isExisting()), "a book is offered while the policy blocks it");
          await shot(q, "policy-blocked.zh-CN");
        } finally {
          await q.deleteSession().catch(() => {});
        }
      } finally {
        rmSync(POLICY, { force: true });
      }
    });
    await step("IT's update policy: the window tells of the newer version on the company's server, Settings shows the locked mode, and off connects to nothing", async () => {
      const POLICY = join(dir, "policies.json");
      const server = await updateServer(dir);
      try {
        writeFileSync(POLICY, JSON.stringify({ policies: { UpdateMode: "notify", UpdateUrl: server.url } }));
        const u = await openWindow(["--db", join(dir, "copied.db")]);
        try {
          await unlockBook(u, "joined passphrase 2026");
          await signIn(u, "admin", HUB_ADMIN_PASSWORD);
          // A build run from source installs nothing itself: the offer says who installs it.
          await waitText(await byTest(u, "update-banner"), (t) => t.includes("Banyan 0.2.0 is available") && t.includes("IT department"), "the offer of 0.2.0", 30_000);
          expect(!(await byTest(u, "update-install").isExisting()), "an install is offered where Banyan may not install");
          expect(server.requests().includes("/latest.json"), `the manifest was not asked for: ${server.requests()}`);
          await shot(u, "update-offer.en-US");
          await (await byTest(u, "update-banner").$("button")).click();
          const panel = await byTest(u, "updates-panel");
          await panel.waitForDisplayed({ timeout: 10_000 });
          await waitText(await byTest(u, "update-phase"), (t) => t.includes("0.2.0"), "Settings' line about 0.2.0");
          expect(!(await (await byTest(u, "update-mode")).isEnabled()), "the mode IT set can be changed");
          expect((await panel.getText()).includes(server.url), "the server is not named");
          await waitText(await byTest(u, "update-notes"), (t) => t.includes("Faster imports"), "the release notes");
          await panel.scrollIntoView();
          await shot(u, "update-settings.en-US");
        } finally {
          await u.deleteSession().catch(() => {});
        }
        // Off, with the server still named: not one connection while the window runs.
        const before = server.connections();
        writeFileSync(POLICY, JSON.stringify({ policies: { UpdateMode: "off", UpdateUrl: server.url } }));
        const o = await openWindow(["--db", join(dir, "copied.db")]);
        try {
          await unlockBook(o, "joined passphrase 2026");
          await signIn(o, "admin", HUB_ADMIN_PASSWORD);
          await (await o.$('[data-nav="settings"]')).click();
          await waitText(await byTest(o, "update-state"), (t) => t.includes("does not look for updates"), "updates off in Settings");
          await o.pause(5_000);
          expect(!(await byTest(o, "update-banner").isExisting()), "an offer shows with updates off");
          expect(server.connections() === before, `updates off still connected ${server.connections() - before} time(s)`);
        } finally {
          await o.deleteSession().catch(() => {});
        }
      } finally {
        rmSync(POLICY, { force: true });
        server.close();
      }
    });
    await step("IT's KeyMode holds a new book's key behind a passphrase, and a portable Banyan keeps its book, log and web view data in data/ beside it, writing nothing in the user's home", async () => {
      const POLICY = join(dir, "policies.json");
      try {
        writeFileSync(POLICY, JSON.stringify({ policies: { KeyMode: "passphrase" } }));
        const k = await openWindow(["--db", join(dir, "keymode.db")]);
        try {
          await waitText(await byTest(k, "key-mode-held"), (t) => t.includes("Managed by your organization") && t.includes("KeyMode"), "the key choice locked, naming the policy");
          expect(!(await (await byTest(k, "mode-keyring")).isEnabled()), "the keyring can still be chosen");
          expect(await (await byTest(k, "mode-passphrase")).isSelected(), "the passphrase is not chosen");
          await shot(k, "first-run-keymode.en-US");
        } finally {
          await k.deleteSession().catch(() => {});
        }
      } finally {
        rmSync(POLICY, { force: true });
      }
      // The program in a folder with data/ beside it, started without the run's book, config and
      // log folders and with an empty home of its own.
      const root = join(dir, "portable");
      const [app, home] = [join(root, "Banyan"), join(root, "home")];
      mkdirSync(join(app, "data"), { recursive: true });
      mkdirSync(home, { recursive: true });
      // A desktop session's runtime folder, as a real one has (without it GLib's dconf client
      // keeps its marker file in ~/.cache instead).
      const run = join(root, "run");
      mkdirSync(run, { recursive: true, mode: 0o700 });
      const bin = join(app, "banyan-desktop");
      try {
        linkSync(realpathSync(APP), bin);
      } catch {
        copyFileSync(APP, bin);
      }
      const start = join(root, "start.sh");
      writeFileSync(
        start,
        `#!/bin/sh\nexec env -u BANYAN_DB -u BANYAN_CONFIG_DIR -u BANYAN_LOG_DIR -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u XDG_CACHE_HOME HOME='${home}' XDG_RUNTIME_DIR='${run}' '${bin}' "$@"\n`,
      );
      chmodSync(start, 0o755);
      const w = await openWindow([], start);
      try {
        await waitText(await byTest(w, "key-mode-held"), (t) => t.includes("portable Banyan keeps the key behind a passphrase"), "the portable key rule");
        expect(!(await (await byTest(w, "mode-keyring")).isEnabled()), "a portable book can keep its key in the keyring");
        await typeInto(await byTest(w, "passphrase"), "portable passphrase 2026");
        await typeInto(await byTest(w, "passphrase-confirm"), "portable passphrase 2026");
        await shot(w, "first-run-portable.en-US");
        await (await byTest(w, "create-book")).click();
        await (await byTest(w, "first-admin")).waitForDisplayed({ timeout: 30_000 });
      } finally {
        await w.deleteSession().catch(() => {});
      }
      const files = (d) => (existsSync(d) ? readdirSync(d, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name)) : []);
      const data = files(join(app, "data")).map((f) => f.slice(join(app, "data").length + 1));
      for (const want of ["banyan.db", "banyan.db.key.json"]) expect(data.includes(want), `${want} not in data/: ${data.join(", ")}`);
      expect(data.some((f) => f.startsWith("logs/")), `no log in data/: ${data.join(", ")}`);
      expect(data.some((f) => f.startsWith("webview/")), `no web view data in data/: ${data.join(", ")}`);
      expect(readFileSync(join(app, "data", "banyan.db.key.json"), "utf8").includes('"passphrase"'), "the portable book's key is not behind its passphrase");
      const outside = files(home);
      expect(outside.length === 0, `written in the home folder: ${outside.join(", ")}`);
      rmSync(root, { recursive: true, force: true });
    });
  } finally {
    await b.deleteSession().catch(() => {});
    hub?.child.kill();
    invite.child.kill();
  }
}

/** The files of the e2e book (database, WAL, shared memory) that the app's processes hold open,
 *  read from /proc: what a shared desktop must not hold while nobody is signed in. */
function bookOpenIn() {
  const open = [];
  const [app, db] = [realpathSync(APP), realpathSync(DB)];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    let exe;
    try {
      exe = readlinkSync(`/proc/${pid}/exe`);
    } catch {
      continue;
    }
    if (exe !== app) continue;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith(db)) open.push(target);
      } catch {
        // closed meanwhile
      }
    }
  }
  return open;
}

function expect(cond, what) {
  if (!cond) throw new Error(what);
}

try {
  // BANYAN_E2E_ONLY=sync runs only the sync steps (they make books of their own): for working on them.
  if (process.env.BANYAN_E2E_ONLY === "sync") {
    mkdirSync(dirname(DB), { recursive: true });
    await syncSteps();
  } else await main();
} catch (e) {
  // A step's failure is already reported by the step (later steps depend on earlier ones); one
  // outside every step (no window to drive at all) is reported here, and fails the run too.
  if (!failures.some((f) => f.endsWith(e?.message ?? `${e}`))) {
    failed++;
    failures.push(`outside a step: ${e?.message ?? e}`);
    console.log(`FAIL outside a step: ${e?.stack ?? e}`);
  }
}
console.log(`\nscreenshots: ${SHOTS}`);
for (const f of failures) console.log(`failed: ${f}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
