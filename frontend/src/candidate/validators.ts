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
