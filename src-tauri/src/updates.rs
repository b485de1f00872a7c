//! Updates: tauri-plugin-updater reading the manifest (`latest.json`, written by
//! `cargo xtask dist`) at the address IT's `UpdateUrl` policy names, as far as
//! [`banyan::policy::UpdatePlan`] lets it: nothing at all unless a policy turns updates on and
//! names the server; on a machine-wide install (MSI, .deb, .rpm) at most an offer shown in the
//! window (IT's tools install); on a per-user install (setup.exe, the macOS app, an AppImage) the
//! package is downloaded, checked against the signing key built into this program (and against
//! the version the manifest announces: a manifest pairing a new number with an older package is
//! refused) and installed when the user clicks "Install and restart". The window's web view is given none of the
//! plugin's own commands: everything goes through `update_status`, `check_updates`,
//! `install_update` and `set_update_mode`.
//!
//! The checks run on a thread of their own (at start, then once a day, and when Settings asks);
//! the HTTPS client is reqwest with the system's certificate store (a company's own CA works
//! where the OS trusts it).

use banyan::policy::{Install, UpdateMode, UpdatePlan};
use serde::Serialize;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};

/// The public half of the key update packages are signed with (minisign, as `tauri signer`
/// writes it), built in by `cargo xtask dist` (`BANYAN_UPDATER_PUBKEY`). A build without one
/// installs no update: nothing could be checked.
const BUILT_IN_KEY: Option<&str> = option_env!("BANYAN_UPDATER_PUBKEY");

/// How long a check or a download may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(60);

/// How often a running window checks again.
const EVERY: Duration = Duration::from_secs(24 * 3600);

/// The signing key in force: the built-in one; debug builds (the tests') take
/// `BANYAN_UPDATER_PUBKEY` at run time instead.
pub fn signing_key() -> Option<String> {
    let runtime = if cfg!(debug_assertions) { std::env::var("BANYAN_UPDATER_PUBKEY").ok() } else { None };
    runtime.or(BUILT_IN_KEY.map(str::to_string)).filter(|k| !k.trim().is_empty())
}

/// How this copy was installed: portable mode, else what Tauri's bundler marked the binary with.
pub fn install_kind() -> Install {
    use tauri::utils::config::BundleType;
    if banyan::home::current().is_ok_and(|h| h.portable) {
        return Install::Portable;
    }
    match tauri::utils::platform::bundle_type() {
        Some(BundleType::Nsis | BundleType::App | BundleType::Dmg | BundleType::AppImage) => Install::PerUser,
        Some(BundleType::Msi | BundleType::Deb | BundleType::Rpm) => Install::Machine,
        None => Install::Unpackaged,
    }
}

/// The plan in force over the user's choice: policy and install (see
/// [`banyan::policy::Policies::updates`]), and no install without a signing key.
pub fn plan(user: Option<UpdateMode>) -> UpdatePlan {
    let mut plan = banyan::policy::current().updates(user, install_kind());
    if signing_key().is_none() && plan.can_install {
        plan.can_install = false;
        if plan.mode == UpdateMode::Auto {
            plan.mode = UpdateMode::Notify;
            plan.limited_by = Some("no-signing-key".into());
        }
    }
    plan
}

/// A newer version the server offers.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub current: String,
    /// The release notes the manifest carries.
    pub notes: Option<String>,
    /// When it was published (RFC 3339), if the manifest says.
    pub date: Option<String>,
}

/// What went wrong, for the window to say in the user's language.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFailure {
    /// "network" (the server could not be reached, or its certificate is not trusted),
    /// "manifest" (its answer is not a manifest, or has nothing for this computer), "signature"
    /// (the package does not match its signature or was signed for another version: refused),
    /// "install" (the installer failed), "busy" (an import or export is running).
    pub kind: String,
    /// The technical detail, in English (for IT).
    pub detail: String,
}

impl UpdateFailure {
    fn of(e: tauri_plugin_updater::Error) -> UpdateFailure {
        use tauri_plugin_updater::Error as E;
        let kind = match &e {
            E::Reqwest(_) | E::Network(_) | E::Io(_) => "network",
            E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) | E::MissingSignedVersion => "signature",
            E::SignedVersionMismatch { .. } => "signature",
            E::Serialization(_) | E::ReleaseNotFound | E::TargetNotFound(_) | E::TargetsNotFound(..) => "manifest",
            E::UrlParse(_) | E::Semver(_) | E::EmptyEndpoints | E::InsecureTransportProtocol => "manifest",
            _ => "install",
        };
        // reqwest's Display says only "error sending request"; the cause (refused, untrusted
        // certificate) is further down the chain.
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            detail.push_str(": ");
            detail.push_str(&s.to_string());
            source = s.source();
        }
        UpdateFailure { kind: kind.into(), detail }
    }
}

/// What the window shows of updates.
#[derive(Debug, Clone, Serialize, PartialEq, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UpdateStatus {
    pub plan: UpdatePlan,
    /// "idle", "checking", "available" (an offer), "downloading", "ready" (downloaded and
    /// checked: "Install and restart" installs it) or "failed".
    pub phase: String,
    pub offer: Option<UpdateOffer>,
    /// Bytes downloaded so far, and of how many (when the server says).
    pub downloaded: u64,
    pub total: Option<u64>,
    pub failure: Option<UpdateFailure>,
    /// Seconds since the last check finished, if one has.
    pub checked_seconds_ago: Option<u64>,
}

#[derive(Default)]
struct Inner {
    phase: &'static str,
    offer: Option<Update>,
    /// The package, downloaded and checked.
    ready: Option<Vec<u8>>,
    downloaded: u64,
    total: Option<u64>,
    failure: Option<UpdateFailure>,
    checked: Option<Instant>,
    /// A check asked for (Settings, a changed mode): the thread wakes for it.
    asked: bool,
}

/// The updater's state, managed by the app.
#[derive(Default)]
pub struct Updates {
    inner: Mutex<Inner>,
    wake: Condvar,
}

impl Updates {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The status under `plan`.
    pub fn status(&self, plan: UpdatePlan) -> UpdateStatus {
        let i = self.lock();
        UpdateStatus {
            phase: if i.phase.is_empty() { "idle" } else { i.phase }.to_string(),
            offer: i.offer.as_ref().map(|u| UpdateOffer {
                version: u.version.clone(),
                current: u.current_version.clone(),
                notes: u.body.clone().filter(|b| !b.trim().is_empty()),
                date: u.date.and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok()),
            }),
            downloaded: i.downloaded,
            total: i.total,
            failure: i.failure.clone(),
            checked_seconds_ago: i.checked.map(|c| c.elapsed().as_secs()),
            plan,
        }
    }

    /// Asks the thread to check now.
    pub fn ask(&self) {
        self.lock().asked = true;
        self.wake.notify_all();
    }

    /// Waits until a check is asked for or `EVERY` has passed.
    fn wait(&self) {
        let mut i = self.lock();
        let deadline = Instant::now() + EVERY;
        while !i.asked {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            i = self.wake.wait_timeout(i, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        i.asked = false;
    }
}

/// The updater for `url` (the plugin holds the signing key: main.rs); `extra_ca` (tests) is
/// trusted beside the system's certificates.
fn updater<R: Runtime>(
    app: &AppHandle<R>,
    url: &str,
    extra_ca: Option<reqwest::Certificate>,
) -> Result<tauri_plugin_updater::Updater, UpdateFailure> {
    let url = tauri::Url::parse(url).map_err(|e| UpdateFailure { kind: "manifest".into(), detail: e.to_string() })?;
    let mut b = app.updater_builder().endpoints(vec![url]).map_err(UpdateFailure::of)?.timeout(TIMEOUT);
    if let Some(ca) = extra_ca {
        b = b.configure_client(move |c| c.tls_certs_merge([ca.clone()]));
    }
    b.build().map_err(UpdateFailure::of)
}

/// Reads the manifest at `url`: the newer version it offers, if any.
pub async fn check<R: Runtime>(
    app: &AppHandle<R>,
    url: &str,
    extra_ca: Option<reqwest::Certificate>,
) -> Result<Option<Update>, UpdateFailure> {
    updater(app, url, extra_ca)?.check().await.map_err(UpdateFailure::of)
}

/// Downloads the package `update` offers and checks it against its signature and the signing
/// key; the bytes only if they match.
pub async fn fetch(update: &Update, mut progress: impl FnMut(u64, Option<u64>)) -> Result<Vec<u8>, UpdateFailure> {
    let mut got = 0u64;
    update
        .download(
            |n, total| {
                got += n as u64;
                progress(got, total);
            },
            || {},
        )
        .await
        .map_err(UpdateFailure::of)
}

/// The extra CA debug builds trust (`BANYAN_UPDATE_CA`, a PEM file: the end-to-end tests' own
/// server); release builds trust the system's store only.
fn test_ca() -> Option<reqwest::Certificate> {
    if !cfg!(debug_assertions) {
        return None;
    }
    let pem = std::fs::read(std::env::var_os("BANYAN_UPDATE_CA")?).ok()?;
    reqwest::Certificate::from_pem(&pem).ok()
}

/// Sets the phase and tells the window.
fn set<R: Runtime>(app: &AppHandle<R>, plan: &impl Fn() -> UpdatePlan, f: impl FnOnce(&mut Inner)) {
    let updates = app.state::<Updates>();
    f(&mut updates.lock());
    let _ = app.emit("update", updates.status(plan()));
}

/// One round: check (unless updates are off), and under "automatic" on an install Banyan may
/// replace, download and check the package so that "Install and restart" installs it at once. `extra_ca`: see
/// [`check`].
pub fn round<R: Runtime>(app: &AppHandle<R>, plan: impl Fn() -> UpdatePlan, extra_ca: Option<reqwest::Certificate>) {
    let p = plan();
    let Some(url) = p.url.clone().filter(|_| p.mode != UpdateMode::Off) else {
        // Turned off (by IT or in Settings) since an earlier round: what it found goes too.
        if app.state::<Updates>().lock().offer.is_some() {
            set(app, &plan, |i| *i = Inner::default());
        }
        return;
    };
    set(app, &plan, |i| {
        i.phase = "checking";
        i.failure = None;
    });
    let found = tauri::async_runtime::block_on(check(app, &url, extra_ca));
    let update = match found {
        Ok(Some(u)) => u,
        Ok(None) => {
            tracing::info!("no newer version on the update server");
            return set(app, &plan, |i| {
                i.phase = "idle";
                i.offer = None;
                i.ready = None;
                i.checked = Some(Instant::now());
            });
        }
        Err(f) => {
            tracing::warn!(kind = %f.kind, detail = %f.detail, "update check failed");
            return set(app, &plan, |i| {
                i.phase = "failed";
                i.failure = Some(f);
                i.checked = Some(Instant::now());
            });
        }
    };
    tracing::info!(version = %update.version, "update offered");
    let same = app.state::<Updates>().lock().offer.as_ref().is_some_and(|o| o.version == update.version);
    let already = same && app.state::<Updates>().lock().ready.is_some();
    set(app, &plan, |i| {
        i.checked = Some(Instant::now());
        if !already {
            i.phase = "available";
            i.ready = None;
            i.offer = Some(update.clone());
        }
    });
    let p = plan();
    if p.mode == UpdateMode::Auto && p.can_install && !already {
        download(app, &plan, &update);
    }
}

/// Downloads and checks `update`'s package; "ready" when it matches, "failed" (signature)
/// when it does not: nothing of it is kept.
fn download<R: Runtime>(app: &AppHandle<R>, plan: &impl Fn() -> UpdatePlan, update: &Update) {
    set(app, plan, |i| {
        i.phase = "downloading";
        i.downloaded = 0;
        i.total = None;
    });
    let mut last = Instant::now();
    let fetched = tauri::async_runtime::block_on(fetch(update, |got, total| {
        if last.elapsed() > Duration::from_millis(250) {
            last = Instant::now();
            set(app, plan, |i| {
                i.downloaded = got;
                i.total = total;
            });
        }
    }));
    match fetched {
        Ok(bytes) => {
            tracing::info!(version = %update.version, bytes = bytes.len(), "update downloaded and its signature checked");
            set(app, plan, |i| {
                i.downloaded = bytes.len() as u64;
                i.phase = "ready";
                i.ready = Some(bytes);
            });
        }
        Err(f) => {
            tracing::warn!(version = %update.version, kind = %f.kind, detail = %f.detail, "update package refused");
            set(app, plan, |i| {
                i.phase = "failed";
                i.failure = Some(f);
            });
        }
    }
}

/// Installs the offered update (downloading and checking it first if it is not ready), then
/// restarts Banyan into it. On Windows the installer closes Banyan itself.
pub fn install<R: Runtime>(app: &AppHandle<R>, plan: impl Fn() -> UpdatePlan) -> Result<(), UpdateFailure> {
    let p = plan();
    if !p.can_install || p.mode == UpdateMode::Off {
        return Err(UpdateFailure {
            kind: "install".into(),
            detail: "updates are not installed by Banyan here".into(),
        });
    }
    let Some(update) = app.state::<Updates>().lock().offer.clone() else {
        return Err(UpdateFailure { kind: "manifest".into(), detail: "no update is offered".into() });
    };
    if app.state::<Updates>().lock().ready.is_none() {
        download(app, &plan, &update);
    }
    let Some(bytes) = app.state::<Updates>().lock().ready.take() else {
        return Err(app.state::<Updates>().lock().failure.clone().unwrap_or(UpdateFailure {
            kind: "install".into(),
            detail: "the package could not be downloaded".into(),
        }));
    };
    tracing::info!(version = %update.version, "installing update");
    if let Err(e) = update.install(&bytes) {
        let f = UpdateFailure::of(e);
        tracing::warn!(kind = %f.kind, detail = %f.detail, "update not installed");
        set(app, &plan, |i| {
            i.phase = "failed";
            i.failure = Some(f.clone());
        });
        return Err(f);
    }
    app.restart()
}

/// The thread that checks `after` the start and then once a day, or when asked.
pub fn watch<R: Runtime>(app: &AppHandle<R>, after: Duration, plan: impl Fn() -> UpdatePlan + Send + 'static) {
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(after);
        loop {
            round(&app, &plan, test_ca());
            app.state::<Updates>().wait();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use banyan::policy::UpdatePlan;
    use std::collections::HashMap;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

    /// A real HTTPS server on loopback with a certificate from a test CA, serving `files` by
    /// path and counting the connections made to it.
    struct Server {
        port: u16,
        ca: reqwest::Certificate,
        files: Arc<Mutex<HashMap<String, Vec<u8>>>>,
        connections: Arc<AtomicUsize>,
    }

    impl Server {
        fn start() -> Server {
            let ca_key = rcgen::KeyPair::generate().unwrap();
            let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
            ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
            ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Banyan test CA");
            let ca_cert = ca_params.self_signed(&ca_key).unwrap();
            let issuer = rcgen::Issuer::new(ca_params, ca_key);
            let leaf_key = rcgen::KeyPair::generate().unwrap();
            let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
                .unwrap()
                .signed_by(&leaf_key, &issuer)
                .unwrap();
            // ring, as the updater's own client uses (and banyan-net): deprecated by rustls 0.23.48
            // for lacking post-quantum key exchange, which a loopback test server does not need.
            #[allow(deprecated)]
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(
                    vec![leaf.der().clone()],
                    rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
                )
                .unwrap();
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.set_nonblocking(true).unwrap();
            let port = listener.local_addr().unwrap().port();
            let files: Arc<Mutex<HashMap<String, Vec<u8>>>> = Arc::default();
            let connections = Arc::new(AtomicUsize::new(0));
            let (f, c) = (files.clone(), connections.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                    loop {
                        let Ok((tcp, _)) = listener.accept().await else { continue };
                        c.fetch_add(1, SeqCst);
                        let (acceptor, files) = (acceptor.clone(), f.clone());
                        tokio::spawn(async move {
                            let Ok(tls) = acceptor.accept(tcp).await else { return };
                            let service =
                                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                                    let body = files.lock().unwrap().get(req.uri().path()).cloned();
                                    async move {
                                        let full = |b: Vec<u8>| http_body_util::Full::new(hyper::body::Bytes::from(b));
                                        Ok::<_, std::convert::Infallible>(match body {
                                            Some(b) => hyper::Response::new(full(b)),
                                            None => {
                                                hyper::Response::builder().status(404).body(full(Vec::new())).unwrap()
                                            }
                                        })
                                    }
                                });
                            let io = hyper_util::rt::TokioIo::new(tls);
                            let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                        });
                    }
                });
            });
            let ca = reqwest::Certificate::from_der(ca_cert.der()).unwrap();
            Server { port, ca, files, connections }
        }

        fn url(&self, path: &str) -> String {
            format!("https://127.0.0.1:{}{path}", self.port)
        }

        fn put(&self, path: &str, bytes: Vec<u8>) {
            self.files.lock().unwrap().insert(path.to_string(), bytes);
        }

        /// A manifest offering `version` at `package`, signed with `signature`.
        fn manifest(&self, path: &str, version: &str, package: &str, signature: &str) {
            let m = serde_json::json!({
                "version": version,
                "notes": "Faster imports.",
                "pub_date": "2026-12-01T09:00:00Z",
                "platforms": { "linux-x86_64": { "url": self.url(package), "signature": signature } }
            });
            self.put(path, m.to_string().into_bytes());
        }
    }

    /// A minisign key pair in the updater's form (base64 of the minisign texts), and a
    /// signature of `data` for `version` as `tauri signer sign --app-version` writes it.
    struct Signer(minisign::KeyPair);

    impl Signer {
        fn public(&self) -> String {
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, self.0.pk.to_box().unwrap().to_string())
        }
        fn sign(&self, data: &[u8], version: &str) -> String {
            let comment = format!("timestamp:1796115600\tfile:banyan.tar.gz\tversion:{version}");
            let sig = minisign::sign(None, &self.0.sk, data, Some(&comment), Some("signature from tauri secret key"))
                .unwrap();
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig.to_string())
        }
    }

    /// A Tauri app (the mock runtime) with the updater plugin holding `key`, version 0.1.0.
    fn app(key: &str) -> tauri::App<tauri::test::MockRuntime> {
        let mut context = tauri::test::mock_context(tauri::test::noop_assets());
        context.config_mut().version = Some("0.1.0".into());
        context
            .config_mut()
            .plugins
            .0
            .insert("updater".into(), serde_json::json!({"pubkey": "", "requireSignedVersion": true}));
        let app = tauri::test::mock_builder()
            .plugin(tauri_plugin_updater::Builder::new().pubkey(key).build())
            .build(context)
            .unwrap();
        app.manage(Updates::default());
        app
    }

    fn plan(mode: UpdateMode, url: Option<String>) -> UpdatePlan {
        UpdatePlan { mode, url, managed: true, highest: mode, can_install: true, limited_by: None }
    }

    #[test]
    fn an_offer_is_read_over_tls_and_a_package_that_does_not_match_its_signature_is_refused() {
        let server = Server::start();
        let signer = Signer(minisign::KeyPair::generate_unencrypted_keypair().unwrap());
        let app = app(&signer.public());
        let h = app.handle();
        let package = b"Banyan 0.2.0, the package".to_vec();
        let signature = signer.sign(&package, "0.2.0");
        server.put("/pkg-0.2.0", package.clone());
        let mut tampered = package.clone();
        tampered[0] ^= 1;
        server.put("/tampered", tampered);
        server.manifest("/good.json", "0.2.0", "/pkg-0.2.0", &signature);
        server.manifest("/tampered.json", "0.2.0", "/tampered", &signature);
        // A manifest pairing a newer number with the (genuine) 0.2.0 package.
        server.manifest("/renumbered.json", "0.3.0", "/pkg-0.2.0", &signature);
        server.manifest("/same.json", "0.1.0", "/pkg-0.2.0", &signature);
        let check = |path: &str, ca: bool| {
            tauri::async_runtime::block_on(check(h, &server.url(path), ca.then(|| server.ca.clone())))
        };

        let offer = check("/good.json", true).unwrap().expect("0.2.0 is newer than 0.1.0");
        assert_eq!((offer.version.as_str(), offer.body.as_deref()), ("0.2.0", Some("Faster imports.")));
        let bytes = tauri::async_runtime::block_on(fetch(&offer, |_, _| {})).unwrap();
        assert_eq!(bytes, package, "the checked package is the one signed");

        let offer = check("/tampered.json", true).unwrap().unwrap();
        let refused = tauri::async_runtime::block_on(fetch(&offer, |_, _| {})).unwrap_err();
        assert_eq!(refused.kind, "signature", "{refused:?}");

        let offer = check("/renumbered.json", true).unwrap().unwrap();
        let refused = tauri::async_runtime::block_on(fetch(&offer, |_, _| {})).unwrap_err();
        assert_eq!(refused.kind, "signature", "{refused:?}");
        assert!(refused.detail.contains("0.2.0") && refused.detail.contains("0.3.0"), "{refused:?}");

        assert!(check("/same.json", true).unwrap().is_none(), "the running version is no update");
        let missing = check("/nothing.json", true).err().expect("no manifest there");
        assert_eq!(missing.kind, "manifest", "{missing:?}");
        // Without the test CA the server's certificate is not trusted: nothing is read.
        let untrusted = check("/good.json", false).err().expect("an untrusted server is not read");
        assert_eq!(untrusted.kind, "network", "{untrusted:?}");
        assert!(untrusted.detail.to_lowercase().contains("certificate"), "{untrusted:?}");
    }

    #[test]
    fn a_round_offers_downloads_or_refuses_as_the_plan_says_and_off_connects_to_nothing() {
        let server = Server::start();
        let signer = Signer(minisign::KeyPair::generate_unencrypted_keypair().unwrap());
        let app = app(&signer.public());
        let h = app.handle();
        let package = b"Banyan 0.2.0".to_vec();
        server.put("/pkg", package.clone());
        server.manifest("/latest.json", "0.2.0", "/pkg", &signer.sign(&package, "0.2.0"));
        let status = |p: &UpdatePlan| h.state::<Updates>().status(p.clone());
        let ca = || Some(server.ca.clone());

        // Off: not one connection, nothing offered.
        let off = plan(UpdateMode::Off, Some(server.url("/latest.json")));
        round(h, || off.clone(), ca());
        assert_eq!(server.connections.load(SeqCst), 0);
        assert_eq!((status(&off).phase.as_str(), status(&off).offer), ("idle", None));

        // Notify: the offer, nothing downloaded.
        let notify = plan(UpdateMode::Notify, Some(server.url("/latest.json")));
        round(h, || notify.clone(), ca());
        let s = status(&notify);
        assert_eq!((s.phase.as_str(), s.offer.as_ref().map(|o| o.version.as_str())), ("available", Some("0.2.0")));
        assert_eq!(s.offer.as_ref().and_then(|o| o.date.as_deref()), Some("2026-12-01T09:00:00Z"));
        assert_eq!(s.downloaded, 0);
        assert!(s.checked_seconds_ago.is_some());

        // Automatic: downloaded and checked, ready for the restart.
        let auto = plan(UpdateMode::Auto, Some(server.url("/latest.json")));
        round(h, || auto.clone(), ca());
        let s = status(&auto);
        assert_eq!((s.phase.as_str(), s.downloaded), ("ready", package.len() as u64));

        // Turned off again: the offer and the package go, still without a connection.
        let seen = server.connections.load(SeqCst);
        round(h, || off.clone(), ca());
        assert_eq!((status(&off).phase.as_str(), status(&off).offer), ("idle", None));
        assert!(h.state::<Updates>().lock().ready.is_none());
        assert_eq!(server.connections.load(SeqCst), seen);

        // The server's package changes under the same signature: refused, nothing kept.
        let app2 = self::app(&signer.public());
        let h2 = app2.handle();
        let mut tampered = package.clone();
        tampered.push(b'!');
        server.put("/pkg", tampered);
        round(h2, || auto.clone(), ca());
        let s = h2.state::<Updates>().status(auto.clone());
        assert_eq!(s.phase, "failed");
        assert_eq!(s.failure.as_ref().map(|f| f.kind.as_str()), Some("signature"), "{s:?}");
        assert!(h2.state::<Updates>().lock().ready.is_none());
    }
}
