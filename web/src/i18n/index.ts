import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { channelsDe } from "./channels.de.js";
import { type ChannelsMessages, channelsEn } from "./channels.en.js";
import { contacts360De } from "./contacts360.de.js";
import { type Contacts360Messages, contacts360En } from "./contacts360.en.js";
import { coreDe } from "./core.de.js";
import { type CoreMessages, coreEn } from "./core.en.js";
import { crmDe } from "./crm.de.js";
import { type CrmMessages, crmEn } from "./crm.en.js";
import { de } from "./de.js";
import { en, type Messages } from "./en.js";
import { inboxDe } from "./inbox.de.js";
import { type InboxMessages, inboxEn } from "./inbox.en.js";
import { kpisDe } from "./kpis.de.js";
import { type KpisMessages, kpisEn } from "./kpis.en.js";

export const locales = ["de", "en"] as const;
export type Locale = (typeof locales)[number];

const storageKey = "konversa.locale";

function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

/** A choice made in this browser wins; otherwise the browser's languages decide. */
export function storedLocale(): Locale | undefined {
  try {
    const value = localStorage.getItem(storageKey);
    return isLocale(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function browserLocale(): Locale {
  for (const language of navigator.languages ?? [navigator.language]) {
    const base = language.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export function currentLocale(): Locale {
  return isLocale(i18n.resolvedLanguage) ? i18n.resolvedLanguage : "en";
}

/** Switches the UI language and remembers it in this browser. */
export async function changeLocale(locale: Locale, options: { remember: boolean } = { remember: true }) {
  if (options.remember) {
    try {
      localStorage.setItem(storageKey, locale);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  }
  await i18n.changeLanguage(locale);
}

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
});

// Resources are bundled, so initialisation completes synchronously.
void i18n.use(initReactI18next).init({
  resources: {
    de: {
      translation: { ...de, ...inboxDe, ...channelsDe, ...crmDe, ...contacts360De, ...coreDe, ...kpisDe },
    },
    en: {
      translation: { ...en, ...inboxEn, ...channelsEn, ...crmEn, ...contacts360En, ...coreEn, ...kpisEn },
    },
  },
  lng: storedLocale() ?? browserLocale(),
  fallbackLng: "en",
  supportedLngs: [...locales],
  interpolation: { escapeValue: false }, // React escapes.
});

export { i18n };

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: {
      translation: Messages &
        InboxMessages &
        ChannelsMessages &
        CrmMessages &
        Contacts360Messages &
        CoreMessages &
        KpisMessages;
    };
  }
}
