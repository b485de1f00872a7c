// Fluent in the UI: the same .ftl files as the Rust side (locales/<lang>/*.ftl), bundled at build
// time. `t()` reads the current language, so every text re-renders when the language changes.
import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import enCore from "../../../locales/en-US/core.ftl?raw";
import enUi from "../../../locales/en-US/ui.ftl?raw";
import enPolicy from "../../../locales/en-US/policy.ftl?raw";
import zhCore from "../../../locales/zh-CN/core.ftl?raw";
import zhUi from "../../../locales/zh-CN/ui.ftl?raw";
import zhPolicy from "../../../locales/zh-CN/policy.ftl?raw";

export type LangTag = "en-US" | "zh-CN";
export const LANGS: LangTag[] = ["en-US", "zh-CN"];

// policy.ftl: the policies' names and explanations, the same the Group Policy templates show.
export const SOURCES: Record<LangTag, string[]> = { "en-US": [enCore, enUi, enPolicy], "zh-CN": [zhCore, zhUi, zhPolicy] };

function bundle(lang: LangTag): FluentBundle {
  const b = new FluentBundle(lang, { useIsolating: false });
  for (const src of SOURCES[lang]) {
    const errors = b.addResource(new FluentResource(src));
    if (errors.length) throw new Error(`${lang}: ${errors.map(String).join("; ")}`);
  }
  return b;
}

const bundles: Record<LangTag, FluentBundle> = { "en-US": bundle("en-US"), "zh-CN": bundle("zh-CN") };

export const i18n = $state({ lang: "en-US" as LangTag });

export function setLang(lang: LangTag): void {
  i18n.lang = lang;
  document.documentElement.lang = lang;
}

/** Formats message `id` in the current language, falling back to English, then to the id. */
export function t(id: string, args?: Record<string, FluentVariable>): string {
  return tIn(i18n.lang, id, args);
}

export function tIn(lang: LangTag, id: string, args?: Record<string, FluentVariable>): string {
  for (const l of [lang, "en-US"] as LangTag[]) {
    const b = bundles[l];
    const m = b.getMessage(id);
    if (m?.value) return b.formatPattern(m.value, args);
  }
  return id;
}

export function hasMessage(lang: LangTag, id: string): boolean {
  return bundles[lang].hasMessage(id);
}
