// Client-side checks for the candidate pages; the server checks the same.

/** Mainland mobile number (DESIGN.md: ^1[3-9]\d{9}$). */
export const PHONE_RE = /^1[3-9]\d{9}$/
/** SMS verification code: 6 digits. */
export const SMS_CODE_RE = /^\d{6}$/

export function isValidPhone(v: string): boolean {
  return PHONE_RE.test(v.trim())
}

export function isValidSmsCode(v: string): boolean {
  return SMS_CODE_RE.test(v.trim())
}

/** What is wrong with an ID number, by the server's rule (GB 11643); '' when nothing. */
export type IdNumberProblem = '' | 'required' | 'length' | 'digits' | 'last' | 'region' | 'date' | 'impossible' | 'checksum'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_CHARS = '10X98765432'
// Province-level region codes in use (exam/registration/idnumber.go).
const ID_PROVINCES = new Set('11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82'.split(' '))

/** The GB 11643 check character of the first 17 digits. */
export function idCheckChar(first17: string): string {
  const sum = [...first17].reduce((s, c, i) => s + Number(c) * ID_WEIGHTS[i], 0)
  return ID_CHECK_CHARS[sum % 11]
}

/**
 * Checks an 18-character resident ID number as the server does
 * (registration.ParseIDNumber): shape, region, a real birth date not after
 * `today` (YYYY-MM-DD), the check character. The server checks again.
 */
export function idNumberProblem(value: string, today = new Date().toISOString().slice(0, 10)): IdNumberProblem {
  const s = value.trim().toUpperCase()
  if (s === '') return 'required'
  if (s.length !== 18) return 'length'
  if (!/^\d{17}$/.test(s.slice(0, 17))) return 'digits'
  if (!/^[\dX]$/.test(s[17])) return 'last'
  if (!ID_PROVINCES.has(s.slice(0, 2))) return 'region'
  const [y, m, d] = [Number(s.slice(6, 10)), Number(s.slice(10, 12)), Number(s.slice(12, 14))]
  const birth = new Date(Date.UTC(y, m - 1, d))
  if (m < 1 || m > 12 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return 'date'
  if (y < 1900 || `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}` > today) return 'impossible'
  if (idCheckChar(s.slice(0, 17)) !== s[17]) return 'checksum'
  return ''
}
