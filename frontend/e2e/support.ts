// Shared helpers for the browser tests.
import fs from 'node:fs'
import path from 'node:path'
import { request, test as base, expect, type Page } from '@playwright/test'
import { SCREENSHOT_DIR, STATE_FILE } from './paths'

export { expect }
import { ADMIN_PASSWORD, ADMIN_USERNAME } from './global-setup'

export { ADMIN_PASSWORD, ADMIN_USERNAME }

export interface ServerState {
  baseURL: string
  logPath: string
}

/** The running test server, as announced by global setup. */
export function serverState(): ServerState {
  const baseURL = process.env.EXAMD_E2E_BASE_URL
  const logPath = process.env.EXAMD_E2E_LOG
  if (baseURL && logPath) return { baseURL, logPath }
  return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as ServerState
}

/** `test` whose baseURL is the server started by global setup. */
export const test = base.extend<{ server: ServerState }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a function destructures
  server: async ({}, use) => use(serverState()),
  baseURL: async ({ server }, use) => use(server.baseURL),
})

/** The log's current size: pass it as `after` to read only later lines. */
export function logOffset(logPath = serverState().logPath): number {
  try {
    return fs.statSync(logPath).size
  } catch {
    return 0
  }
}

/**
 * Polls the server log (up to 15 s) for the LAST `msg="sms sent"` line with
 * `template=verification_code` (and `to=<phoneMasked>` if given, and only
 * past byte offset `after` if given) and returns its 6-digit code.
 * The log provider writes e.g.:
 *   time=... level=INFO msg="sms sent" provider=log to=138****8000 template=verification_code code=123456 text="..."
 */
export async function readSmsCode(
  logPath: string,
  phoneMasked?: string,
  opts: { after?: number; timeoutMs?: number } = {},
): Promise<string> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  for (;;) {
    let text = ''
    try {
      text = fs.readFileSync(logPath, 'utf8')
    } catch {
      // not there yet
    }
    if (opts.after) text = Buffer.from(text).subarray(opts.after).toString('utf8')
    const lines = text.split('\n').filter(
      (l) =>
        l.includes('msg="sms sent"') &&
        l.includes('template=verification_code') &&
        (!phoneMasked || l.includes(`to=${phoneMasked}`)),
    )
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = /\bcode=(\d{6})\b/.exec(lines[i])
      if (m) return m[1]
    }
    if (Date.now() > deadline) {
      throw new Error(`no verification_code SMS${phoneMasked ? ` to ${phoneMasked}` : ''} in ${logPath} within the time limit`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Full-page screenshot into test-results/screenshots/<name>.png for a person to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true, animations: 'disabled' })
}

/** The page must fit the viewport's width (360 px phones): no horizontal scrolling. */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }))
  expect(scrollWidth, 'page wider than the viewport').toBeLessThanOrEqual(innerWidth)
}

/** "13800138000" -> "138****8000", the server's masked form. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)}****${phone.slice(7)}`
}

export interface NewStaff {
  username: string
  password: string
  role: 'police_reviewer' | 'proctor' | 'window_clerk' | 'question_editor' | 'bureau_admin'
  display_name?: string
  centre_id?: number
  office_id?: number
}

/**
 * An account an admin created (or reset) must choose its own password at the
 * first login. Does that through the API, as the account: to a temporary
 * password and back, so the spec logs in with `password` as before and
 * lands on the console, not on the change page (admin.spec.ts shows that
 * page in the browser).
 */
export async function settleFirstLogin(server: ServerState, username: string, password: string): Promise<void> {
  const ctx = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { 'X-Requested-With': 'examd' } })
  try {
    const login = await ctx.post('/api/v1/auth/staff/login', { data: { username, password } })
    expect(login.status(), await login.text()).toBe(200)
    expect(((await login.json()) as { user: { must_change_password: boolean } }).user.must_change_password).toBe(true)
    const temporary = `${password}-first`
    for (const [current, next] of [
      [password, temporary],
      [temporary, password],
    ]) {
      const res = await ctx.post('/api/v1/me/password', { data: { current_password: current, new_password: next } })
      expect(res.status(), await res.text()).toBe(204)
    }
  } finally {
    await ctx.dispose()
  }
}

/** Creates a staff account through the API as the bootstrap admin, with its first-login password change done. */
export async function createStaff(server: ServerState, user: NewStaff): Promise<void> {
  const ctx = await request.newContext({
    baseURL: server.baseURL,
    extraHTTPHeaders: { 'X-Requested-With': 'examd' },
  })
  try {
    const login = await ctx.post('/api/v1/auth/staff/login', { data: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } })
    expect(login.status(), await login.text()).toBe(200)
    const res = await ctx.post('/api/v1/admin/staff', { data: { display_name: user.username, ...user } })
    expect(res.status(), await res.text()).toBe(201)
  } finally {
    await ctx.dispose()
  }
  await settleFirstLogin(server, user.username, user.password)
}

/** Creates an exam centre through the API as the bootstrap admin; returns its id. */
export async function createCentre(server: ServerState, name: string): Promise<number> {
  const ctx = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: { 'X-Requested-With': 'examd' } })
  try {
    const login = await ctx.post('/api/v1/auth/staff/login', { data: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } })
    expect(login.status(), await login.text()).toBe(200)
    const res = await ctx.post('/api/v1/admin/centres', { data: { name, address: `${name}地址` } })
    expect(res.status(), await res.text()).toBe(201)
    return ((await res.json()) as { id: number }).id
  } finally {
    await ctx.dispose()
  }
}
