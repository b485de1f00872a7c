//! What Banyan's packages carry beside the binaries, each generated from one source:
//!
//! - [`policy`]: the Group Policy templates, sample configuration profile and policies.json and
//!   the policy reference page, from `packaging/policy/policies.schema.json` and
//!   `locales/*/policy.ftl` (`cargo xtask policy`; committed, drift fails the tests);
//! - [`linux`]: the AppStream metainfo of the .deb and .rpm, its releases read from
//!   `CHANGELOG.md` (`cargo xtask dist`).

pub mod linux;
pub mod policy;
pub mod repo;
pub mod updates;

/// Writes `<tag>…</tag>` around what `inner` writes.
pub(crate) fn nest(
    w: &mut quick_xml::Writer<Vec<u8>>,
    tag: &str,
    inner: impl FnOnce(&mut quick_xml::Writer<Vec<u8>>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    w.create_element(tag).write_inner_content(inner)?;
    Ok(())
}
