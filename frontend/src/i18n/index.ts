// vue-i18n setup. zh-CN is the default; the user's choice is kept in
// localStorage under LOCALE_STORAGE_KEY. Surfaces that use a UI library
// (Vant, Element Plus) follow `i18n.global.locale` themselves in their layout,
// so neither library is pulled into the landing bundle.
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'

// Turns the zh-CN object's leaves into `string`, so en.ts must have the very
// same keys (no more, no fewer).
type Strings<T> = { [K in keyof T]: T[K] extends string ? string : Strings<T[K]> }
export type MessageSchema = Strings<typeof zhCN>

export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: AppLocale = 'zh-CN'
export const LOCALE_STORAGE_KEY = 'examd.locale'

export const messages: Record<AppLocale, MessageSchema> = { 'zh-CN': zhCN, en }

function isLocale(v: unknown): v is AppLocale {
  return typeof v === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(v)
}

function storedLocale(): AppLocale {
  try {
    const v = globalThis.localStorage?.getItem(LOCALE_STORAGE_KEY)
    if (isLocale(v)) return v
  } catch {
    // localStorage may be unavailable (privacy mode); use the default.
  }
  return DEFAULT_LOCALE
}

export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: DEFAULT_LOCALE,
  messages,
})

export function currentLocale(): AppLocale {
  return i18n.global.locale.value
}

/** Switches the language, remembers it and updates <html lang>. */
export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  try {
    globalThis.localStorage?.setItem(LOCALE_STORAGE_KEY, locale)
  } catch {
    // Not persisted; the switch still applies to this page.
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/** zh-CN <-> en. */
export function toggleLocale(): void {
  setLocale(currentLocale() === 'zh-CN' ? 'en' : 'zh-CN')
}

/** A server list entry (pledge item, reject reason...) in the current language. */
export function optionLabel(o: { label: string; label_en?: string }): string {
  return currentLocale() === 'en' && o.label_en ? o.label_en : o.label
}
