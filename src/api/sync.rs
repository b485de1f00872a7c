//! The sync inbox and status as a signed-in person sees them. The replica seam itself
//! (`Store::sync_vector`, `sync_changes`, `sync_apply`) is between devices, not people: a peer
//! reaches it only once it has proved it is a member of the book.

use super::{ApiResult, Banyan, Caller};
use crate::error::{Error, FieldError};
use crate::model::CustomerId;
use crate::security::grants::{Action, Entity};
use crate::store::{ConflictKind, SyncConflict};
use crate::sync::wire::Vector;
use serde::Serialize;

/// The entity whose grants cover a synced table's rows.
fn entity_of(table: &str) -> Entity {
    match table {
        "customers" => Entity::Customer,
        "contacts" => Entity::Contact,
        "activities" => Entity::Activity,
        "products" => Entity::Product,
        "orders" | "order_lines" => Entity::Order,
        "users" | "roles" => Entity::Users,
        "consents" | "erasures" => Entity::Privacy,
        _ => Entity::Settings,
    }
}

/// What `banyan sync status` and the sync screen's header show.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// This desktop's id and its short code.
    pub device: String,
    pub device_code: String,
    /// Per desktop, the last change this book holds from it.
    pub vector: Vector,
    /// Decisions waiting for the caller (those they may see).
    pub conflicts: u32,
    /// Changes from elsewhere kept but not applied (see `sync_held`).
    pub held: u32,
}

impl Banyan {
    /// Whether `caller` may take `action` on the row a conflict is about (and, for a customer's
    /// field, read it, or for an update write it).
    fn may_touch_conflict(&self, caller: &Caller, c: &SyncConflict, action: Action) -> crate::Result<bool> {
        let entity = entity_of(&c.table);
        let Some(reach) = self.optional_reach(caller, entity, action)? else { return Ok(false) };
        let customer = match c.table.as_str() {
            "customers" => Some(c.row_id.clone()),
            "contacts" | "activities" | "orders" => self.store.customer_of_row(&c.table, &c.row_id)?,
            _ => return Ok(true),
        };
        let Some(Ok(id)) = customer.map(|id| CustomerId::parse(&id, "id")) else { return Ok(false) };
        let owner = self.store.customer(id)?.owner;
        if !reach.contains(owner.as_deref()) {
            return Ok(false);
        }
        if c.table == "customers" {
            // Locked fields include the hidden ones.
            let barred = if action == Action::Read {
                super::fields::unreadable(caller.grants())
            } else {
                super::fields::unwritable(caller.grants())
            };
            if barred.iter().any(|f| *f == c.field || (c.field == "custom" && f.starts_with("custom."))) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The decisions sync left to people that `caller` may see: a field changed on two desktops
    /// to different values, one SKU or custom-field key made on two desktops.
    pub fn sync_conflicts(&self, caller: &Caller) -> ApiResult<Vec<SyncConflict>> {
        self.may(caller, Entity::Customer, Action::Read)
            .or_else(|_| self.may(caller, Entity::Settings, Action::Read))?;
        let run = || -> crate::Result<Vec<SyncConflict>> {
            let names: std::collections::HashMap<String, String> =
                self.store.users()?.into_iter().map(|u| (u.id.to_string(), u.name)).collect();
            let desktops: std::collections::HashMap<String, String> =
                self.store.members()?.into_iter().map(|m| (m.device, m.name)).collect();
            let mut out = Vec::new();
            for mut c in self.store.sync_conflicts()? {
                if self.may_touch_conflict(caller, &c, Action::Read)? {
                    // Who and where, by name (the log holds ids; a removed user keeps the id).
                    for side in &mut c.sides {
                        if let Some(name) = names.get(&side.user) {
                            side.user = name.clone();
                        }
                        side.desktop = desktops
                            .get(&side.device)
                            .cloned()
                            .unwrap_or_else(|| side.device.chars().take(8).collect());
                    }
                    if c.table == "customers"
                        && let Ok(id) = CustomerId::parse(&c.row_id, "id")
                    {
                        c.label = Some(self.store.customer(id)?.name);
                    }
                    if c.table == "orders" {
                        c.label = self.store.order(&c.row_id).ok().map(|o| o.number);
                    }
                    if c.field == "line_set" {
                        // Each side's lines, readable (the value is their ids).
                        for side in &mut c.sides {
                            let ids: Vec<String> = serde_json::from_str::<String>(&side.value)
                                .ok()
                                .and_then(|text| serde_json::from_str(&text).ok())
                                .unwrap_or_default();
                            side.fields = self.store.describe_lines(&ids)?;
                        }
                    }
                    out.push(c);
                }
            }
            Ok(out)
        };
        run().map_err(|e| self.err(e))
    }

    /// Settles conflict `id` with `keep`: one of its values, as listed (JSON) or, for text, as
    /// typed. Written as the caller's own change of the field, it replaces every value the field
    /// had on every desktop it reaches. A duplicate SKU or key is settled by changing one of them.
    pub fn sync_resolve(&self, caller: &Caller, id: &str, keep: &str) -> ApiResult<()> {
        let run = || -> crate::Result<()> {
            let found = self.store.sync_conflicts()?.into_iter().find(|c| c.id == id);
            let Some(c) = found.filter(|c| self.may_touch_conflict(caller, c, Action::Read).unwrap_or(false)) else {
                return Err(Error::NotFound { entity: "conflict", id: id.to_string() });
            };
            if !self.may_touch_conflict(caller, &c, Action::Update)? {
                return Err(Error::NotAllowed { entity: entity_of(&c.table), action: Action::Update });
            }
            if c.kind == ConflictKind::MergedBothWays {
                // Seen: the customer kept stays (merge it away like any other to undo).
                if keep.trim() != c.row_id {
                    return Err(Error::field(FieldError::new("keep", "error-conflict-keep").arg("values", &c.row_id)));
                }
                return self.store.sync_settle(&caller.actor(), &c, &c.row_id);
            }
            if c.kind == ConflictKind::DeletedEdited {
                let keep = keep.trim().to_lowercase();
                if keep != "restore" && keep != "deleted" {
                    return Err(Error::field(
                        FieldError::new("keep", "error-conflict-keep").arg("values", "restore, deleted"),
                    ));
                }
                return self.store.sync_settle(&caller.actor(), &c, &keep);
            }
            if c.kind != ConflictKind::Values {
                return Err(Error::field(FieldError::new("keep", "error-conflict-duplicate").arg("value", &c.row_id)));
            }
            let typed = |v: &str| serde_json::from_str::<serde_json::Value>(v).ok();
            let wanted = typed(keep);
            let side = c.sides.iter().find(|s| {
                s.value == keep
                    || typed(&s.value).is_some_and(|v| v.as_str() == Some(keep) || Some(&v) == wanted.as_ref())
            });
            let Some(side) = side else {
                let values: Vec<String> = c.sides.iter().map(|s| s.value.clone()).collect();
                return Err(Error::field(
                    FieldError::new("keep", "error-conflict-keep").arg("values", values.join(", ")),
                ));
            };
            self.store.sync_settle(&caller.actor(), &c, &side.value.clone())
        };
        run().map_err(|e| self.err(e))
    }

    /// This desktop's identity, what it holds, and what waits for people.
    pub fn sync_status(&self, caller: &Caller) -> ApiResult<SyncStatus> {
        let conflicts = self.sync_conflicts(caller)?.len() as u32;
        let run = || -> crate::Result<SyncStatus> {
            Ok(SyncStatus {
                device: self.store.device().to_string(),
                device_code: self.store.device_code().to_string(),
                vector: self.store.sync_vector()?,
                conflicts,
                held: self.store.sync_held_count()?,
            })
        };
        run().map_err(|e| self.err(e))
    }
}

/// The oldest schema whose books this version exchanges changes with (0018: a restored desktop's
/// member row carries its former identity's vouch, which an older desktop would hold back and
/// then refuse the desktop for; 0017: an order's lines travel as one set).
pub const MIN_SYNC_SCHEMA: i64 = 18;

/// What a desktop says first on a sync session (the transport's Hello frame carries it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncHello {
    pub device: String,
    pub name: String,
    pub schema: i64,
    pub min_schema: i64,
    /// An opaque tag of the book: the same on every desktop of the team, telling nothing else.
    pub book: [u8; 32],
    pub vector: Vector,
    /// Per device of `vector`, the chain link its number ends at (see `Banyan::sync_meet`).
    pub tips: std::collections::BTreeMap<String, Vec<u8>>,
}

/// The device-level seam the transport calls once a peer has proved, by its TLS certificate, that
/// it is a live member of the book. These take no `Caller`: they are reached only by a process
/// that opened the book (it holds the key) on behalf of a member desktop, and they move the
/// book's changes as they are (who made each one travels inside it).
impl Banyan {
    pub fn sync_vector(&self) -> ApiResult<Vector> {
        self.store.sync_vector().map_err(|e| self.err(e))
    }

    pub fn sync_hello(&self) -> ApiResult<SyncHello> {
        let run = || -> crate::Result<SyncHello> {
            let device = self.store.device().to_string();
            let name =
                self.store.members()?.into_iter().find(|m| m.device == device).map(|m| m.name).unwrap_or_default();
            let vector = self.store.sync_vector()?;
            Ok(SyncHello {
                device,
                name,
                schema: self.store.schema_version()?,
                min_schema: MIN_SYNC_SCHEMA,
                book: blake3::derive_key("banyan 2026-12 book tag", self.store.book_id()?.as_bytes()),
                tips: self.store.sync_tips(&vector)?,
                vector,
            })
        };
        run().map_err(|e| self.err(e))
    }

    /// What a peer's Hello (`vector`, `tips`) says of this book's own identity, before anything
    /// moves: a copy of another desktop's book (or one restored outside Banyan) is told here, and
    /// a copy that took a new identity settles its former one's changes as far as the peer shows
    /// (see `Store::sync_meet`).
    pub fn sync_meet(
        &self,
        vector: &Vector,
        tips: &std::collections::BTreeMap<String, Vec<u8>>,
    ) -> ApiResult<crate::store::PeerView> {
        self.store.sync_meet(vector, tips).map_err(|e| self.err(e))
    }

    /// What `since` lacks, encoded for the wire: (bytes, field changes, whether more remain).
    pub fn sync_changes_encoded(&self, since: &Vector, max_changes: usize) -> ApiResult<(Vec<u8>, u64, bool)> {
        let batch = self.store.sync_changes(since, max_changes).map_err(|e| self.err(e))?;
        let changes = batch.txs.iter().map(|t| t.width() as u64).sum();
        let bytes = postcard::to_allocvec(&batch.txs).map_err(|e| self.err(Error::Corrupt(e.to_string())))?;
        Ok((bytes, changes, batch.more))
    }

    /// Applies a batch a member sent (as [`Banyan::sync_changes_encoded`] made it).
    pub fn sync_apply_encoded(&self, bytes: &[u8]) -> ApiResult<crate::sync::wire::Applied> {
        let txs: Vec<crate::sync::wire::Tx> = postcard::from_bytes(bytes).map_err(|_| {
            self.err(Error::PeerRefused { device: String::new(), fault: crate::error::PeerFault::Malformed })
        })?;
        self.store.sync_apply(&txs).map_err(|e| self.err(e))
    }

    /// Every desktop the book has had (a live one's fingerprint is what its certificate must match).
    pub fn sync_members(&self) -> ApiResult<Vec<crate::store::Member>> {
        self.store.members().map_err(|e| self.err(e))
    }

    /// Notes a finished round with member `device` (reached at `address` when this desktop
    /// connected).
    pub fn sync_note_seen(&self, device: &str, address: Option<&str>) -> ApiResult<()> {
        self.store.note_seen(device, address).map_err(|e| self.err(e))
    }

    /// Waits up to `max` until this book holds a change `since` lacks (another process or thread
    /// committed one); whether it does. Live sync's watched side (`banyan-net`'s Watch).
    pub fn sync_wait_news(&self, since: &Vector, max: std::time::Duration) -> ApiResult<bool> {
        let until = std::time::Instant::now() + max;
        loop {
            // A vector is a few rows (one per desktop of the book): read every 5 ms.
            if since.behind(&self.store.sync_vector().map_err(|e| self.err(e))?) > 0 {
                return Ok(true);
            }
            if std::time::Instant::now() >= until {
                return Ok(false);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    /// Notes a pairing here that failed its code (three within ten minutes pause invitations).
    pub fn sync_pairing_failed(&self) -> ApiResult<()> {
        self.store.note_pairing_failure().map_err(|e| self.err(e))
    }

    /// Refuses to invite while invitations are paused after three failed codes, saying until when.
    pub fn sync_may_invite(&self) -> ApiResult<()> {
        match self.store.invites_paused_until().map_err(|e| self.err(e))? {
            None => Ok(()),
            Some(until) => {
                let minutes = ((until - self.store.now_ms()).max(0) + 59_999) / 60_000;
                Err(self.err(Error::field(
                    FieldError::new("pairing", "error-invite-paused").arg("minutes", minutes.to_string()),
                )))
            }
        }
    }

    /// The address of the desktop this one last reached (`sync now` without a peer goes there).
    pub fn sync_last_peer(&self) -> ApiResult<Option<String>> {
        self.store.last_peer_address().map_err(|e| self.err(e))
    }

    /// This desktop's TLS certificate and key, if it has made them.
    pub fn sync_tls(&self) -> ApiResult<Option<crate::store::TlsIdentity>> {
        self.store.sync_tls().map_err(|e| self.err(e))
    }

    /// Gives this book a new identity its former one vouches for (see
    /// `Store::take_vouched_identity`): for a book copied to another computer or restored outside
    /// Banyan, which its peers refuse (they hold more of its changes than it does). Its peers then
    /// admit it, and its own changes it lacks come back from them.
    pub fn sync_new_identity(&mut self, caller: &Caller) -> ApiResult<String> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let former = self.store.device().to_string();
        self.store.take_identity_for_copy().map_err(|e| self.err(e))?;
        self.former_devices.push(former);
        Ok(self.store.device().to_string())
    }

    /// The TLS identity peers are shown: the former one while a restored book's new identity has
    /// reached no peer yet (see `Store::take_vouched_identity`), else this desktop's.
    pub fn sync_tls_for_peers(&self) -> ApiResult<Option<crate::store::TlsIdentity>> {
        self.store.sync_tls_for_peers().map_err(|e| self.err(e))
    }

    /// A round finished: peers know this desktop's own identity now; the former one's TLS
    /// certificate, if a restore left one in use, is dropped.
    pub fn sync_identity_known(&self) -> ApiResult<bool> {
        self.store.sync_identity_known().map_err(|e| self.err(e))
    }

    /// This desktop's certificate is `fingerprint` now: its member row, if it has one, says so
    /// (a restored book's new identity gets its own certificate before its first round).
    pub fn sync_own_fingerprint(&self, fingerprint: &str) -> ApiResult<()> {
        let run = || -> crate::Result<()> {
            let device = self.store.device().to_string();
            let Some(mut me) = self.store.members()?.into_iter().find(|m| m.device == device) else { return Ok(()) };
            if me.fingerprint == fingerprint {
                return Ok(());
            }
            me.fingerprint = fingerprint.to_string();
            me.vouch = None;
            self.store.put_member(&crate::store::Actor { user: String::new(), batch: None }, &me)
        };
        run().map_err(|e| self.err(e))
    }

    pub fn set_sync_tls(&self, cert: &[u8], key: &[u8]) -> ApiResult<()> {
        self.store.set_sync_tls(cert, key).map_err(|e| self.err(e))
    }

    /// Makes this desktop a member (or updates its row): its certificate's `fingerprint` and
    /// `name`. Done when it first invites, with the inviter as the author.
    pub fn sync_enrol_self(&self, caller: &Caller, name: &str, fingerprint: &str) -> ApiResult<()> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let device = self.store.device().to_string();
        let m = crate::store::Member {
            device: device.clone(),
            name: name.to_string(),
            fingerprint: fingerprint.to_string(),
            code: self.store.device_code().to_string(),
            added_by: None,
            added_at: 0,
            revoked_at: None,
            signing_key: Some(self.store.signing_public_key()),
            vouch: None,
            last_seen: None,
            address: None,
        };
        let current = self.store.members().map_err(|e| self.err(e))?.into_iter().find(|x| x.device == device);
        if current.is_some_and(|c| {
            c.name == m.name && c.fingerprint == m.fingerprint && c.code == m.code && c.signing_key == m.signing_key
        }) {
            return Ok(());
        }
        self.store.put_member(&caller.actor(), &m).map_err(|e| self.err(e))
    }

    /// Adds the desktop that is joining: its device id, name, certificate fingerprint and the
    /// public key it will sign its changes with, with an order-number code no member has.
    /// Returns the code.
    pub fn sync_admit(
        &self,
        caller: &Caller,
        device: &str,
        name: &str,
        fingerprint: &str,
        signing_key: &str,
    ) -> ApiResult<String> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<String> {
            uuid::Uuid::try_parse(device).map_err(|_| Error::invalid("device", "error-device-id"))?;
            crate::security::chain::PublicKey::from_hex(signing_key)
                .ok_or_else(|| Error::invalid("signing_key", "error-signing-key"))?;
            let members = self.store.members()?;
            let taken: std::collections::BTreeSet<String> = members.iter().map(|m| m.code.clone()).collect();
            // A code no member has; a draw that keeps failing is an error, never a fixed code.
            let code = (0..64)
                .map(|_| crate::store::new_device_code())
                .find(|c| !taken.contains(c) && *c != self.store.device_code())
                .ok_or_else(|| Error::Corrupt("no free desktop code".into()))?;
            let m = crate::store::Member {
                device: device.to_string(),
                name: name.to_string(),
                fingerprint: fingerprint.to_string(),
                code: code.clone(),
                added_by: Some(self.store.device().to_string()),
                added_at: 0,
                revoked_at: None,
                signing_key: Some(signing_key.to_string()),
                vouch: None,
                last_seen: None,
                address: None,
            };
            self.store.put_member(&caller.actor(), &m)?;
            Ok(code)
        };
        run().map_err(|e| self.err(e))
    }

    /// The book's desktops, for a person (settings.read).
    pub fn sync_peers(&self, caller: &Caller) -> ApiResult<Vec<crate::store::Member>> {
        self.may(caller, Entity::Settings, Action::Read)?;
        self.store.members().map_err(|e| self.err(e))
    }

    /// Removes a desktop from the book (a lost laptop): no member accepts its certificate from
    /// the next connection on, once the removal has reached it. By device id or its start.
    pub fn sync_revoke(&self, caller: &Caller, device: &str) -> ApiResult<crate::store::Member> {
        self.may(caller, Entity::Settings, Action::Update)?;
        let run = || -> crate::Result<crate::store::Member> {
            let found: Vec<crate::store::Member> = self
                .store
                .members()?
                .into_iter()
                .filter(|m| m.revoked_at.is_none() && !device.is_empty() && m.device.starts_with(device))
                .collect();
            let [m] = found.as_slice() else {
                return Err(Error::NotFound { entity: "desktop", id: device.to_string() });
            };
            if m.device == self.store.device().to_string() {
                return Err(Error::invalid("device", "error-revoke-self"));
            }
            self.store.revoke_member(&caller.actor(), &m.device)?;
            Ok(m.clone())
        };
        run().map_err(|e| self.err(e))
    }

    /// A copy of the book for a desktop that is joining, at `dest`, encrypted under a new key
    /// (returned) and without this desktop's private keys (settings.update). `expected` is set
    /// first to about the size the file will reach.
    pub fn sync_snapshot(
        &self,
        caller: &Caller,
        dest: &std::path::Path,
        expected: &std::sync::atomic::AtomicU64,
    ) -> ApiResult<crate::security::keys::DbKey> {
        self.may(caller, Entity::Settings, Action::Update)?;
        self.store.snapshot_for_peer(dest, expected).map_err(|e| self.err(e))
    }

    /// Makes the book at `opts.path` from a member's snapshot, received into `received` (a file
    /// beside it, encrypted under `once`, which this moves into place): checks it whole, makes it
    /// device `device` with `code` and this TLS identity, and files its key as `protect` says
    /// (the snapshot's one-time key becomes this desktop's own, wrapped).
    #[allow(clippy::too_many_arguments)]
    pub fn join(
        opts: &super::OpenOptions,
        received: &std::path::Path,
        once: crate::security::keys::DbKey,
        protect: crate::store::NewKey,
        device: &str,
        code: &str,
        signing_key: crate::security::chain::DeviceKey,
        tls: (&[u8], &[u8]),
    ) -> ApiResult<Banyan> {
        use crate::security::keys::{KeyMode, KeyStore, Unlock};
        let l10n = crate::i18n::Localizer::new(opts.lang);
        let fail = |e: Error| super::localize(&l10n, e);
        let path = &opts.path;
        let keys = KeyStore::for_db(path);
        if path.exists() || keys.exists() {
            let _ = std::fs::remove_file(received);
            return Err(fail(Error::DbExists(path.clone())));
        }
        let device: crate::model::DeviceId = device.parse().map_err(|_| {
            let _ = std::fs::remove_file(received);
            fail(Error::invalid("device", "error-device-id"))
        })?;
        let made = (|| -> crate::Result<()> {
            std::fs::rename(received, path)?;
            let mut store = crate::store::Store::open(path, &Unlock::Raw(once.clone()), opts.store.clone())?;
            let problems = store.check_received()?;
            if !problems.is_empty() {
                return Err(Error::Corrupt(format!("the book received: {}", problems.join("; "))));
            }
            store.take_identity(device, code.to_string(), signing_key)?;
            store.set_sync_tls(tls.0, tls.1)?;
            drop(store);
            crate::home::check_new_key(&protect)?;
            match &protect {
                crate::store::NewKey::Passphrase(p) => keys.create(&once, KeyMode::Passphrase, Some(p), opts.store.kdf),
                crate::store::NewKey::Keyring => keys.create(&once, KeyMode::Keyring, None, opts.store.kdf),
                _ => Err(Error::Corrupt("a joined book is kept under a passphrase or the keyring".into())),
            }
        })();
        if let Err(e) = made {
            let _ = std::fs::remove_file(received);
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.as_os_str().to_owned();
                p.push(suffix);
                let _ = std::fs::remove_file(std::path::PathBuf::from(p));
            }
            let _ = keys.forget();
            let _ = std::fs::remove_file(keys.path());
            return Err(fail(e));
        }
        let unlock = match protect {
            crate::store::NewKey::Passphrase(p) => Unlock::passphrase(p),
            _ => Unlock::KeyFile { passphrase: None },
        };
        Banyan::open(opts, &unlock)
    }
}
