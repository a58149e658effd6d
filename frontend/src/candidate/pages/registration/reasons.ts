// Server field reasons (English, stable) -> text in the current language.
import { i18n } from '../../../i18n'
import zh from '../../../i18n/registration.zh-CN'
import en from '../../../i18n/registration.en'

export function reasonText(reason: string): string {
  const { t, locale } = i18n.global
  const map: Record<string, string> = (locale.value === 'en' ? en : zh).reasons
  if (map[reason]) return map[reason]
  const licence = /held for at least (\d+) years \(since (\d{4}-\d{2}-\d{2}) or earlier\)/.exec(reason)
  if (licence) return t('registration.licenceTooShort', { n: licence[1], date: licence[2] })
  if (reason.startsWith('confirm every pledge item')) return t('registration.pledgeMissing')
  return reason
}
