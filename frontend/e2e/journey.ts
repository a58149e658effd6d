// Steps of the candidate's road that several specs need as a given (the
// journeys themselves are each spec's subject): an approved candidate, the
// server's test clock, a published session.
import { request, type APIRequestContext, type Browser, type Page } from '@playwright/test'
import { expect, logOffset, maskPhone, readSmsCode, type ServerState } from './support'

export const HDR = { 'X-Requested-With': 'examd' }

/** A valid 18-digit ID number (GB 11643 check character) ending in seq. */
export function idNumber(seq: number): string {
  const body = `35060219880808${String(seq).padStart(3, '0')}`
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

export async function api(server: ServerState): Promise<APIRequestContext> {
  return request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: HDR })
}

export async function staffAPI(server: ServerState, username: string, password: string): Promise<APIRequestContext> {
  const ctx = await api(server)
  const login = await ctx.post('/api/v1/auth/staff/login', { data: { username, password } })
  expect(login.status(), await login.text()).toBe(200)
  return ctx
}

/** Logs a staff member into the console in page (the login page itself is staff-login.spec.ts's subject). */
export async function staffLogin(page: Page, baseURL: string, username: string, password: string) {
  await page.goto(`${baseURL}/staff/login`)
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/staff$/)
}

/** A passport-style JPEG drawn in a page (registration checks it is a real photo). */
async function portrait(browser: Browser): Promise<Buffer> {
  const studio = await browser.newPage({ viewport: { width: 300, height: 400 }, deviceScaleFactor: 1 })
  await studio.setContent('<body style="margin:0;background:#dde8f0"><div style="margin:90px auto 0;width:140px;height:170px;border-radius:70px 70px 40px 40px;background:#556677"></div></body>')
  const photo = await studio.screenshot({ type: 'jpeg', quality: 90 })
  await studio.close()
  return photo
}

/**
 * Registers a candidate through the API and has the police approve them
 * (registration.spec.ts covers that journey). The returned context is the
 * candidate's logged-in session: pass its storageState() to a phone's
 * browser context (a second SMS code within a minute would be refused).
 */
export async function approvedCandidate(server: ServerState, browser: Browser, phone: string, name: string, id: string, police: APIRequestContext) {
  const c = await api(server)
  const from = logOffset(server.logPath)
  expect((await c.post('/api/v1/auth/sms-code', { data: { phone } })).status()).toBe(202)
  const code = await readSmsCode(server.logPath, maskPhone(phone), { after: from })
  expect((await c.post('/api/v1/auth/candidate/login', { data: { phone, code } })).status()).toBe(200)
  const app = (await (await c.post('/api/v1/me/applications', { data: { channel: '' } })).json()) as { id: number }
  const up = await c.post(`/api/v1/me/applications/${app.id}/photo`, { multipart: { file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: await portrait(browser) } } })
  expect(up.status(), await up.text()).toBe(200)
  const form = {
    name, id_number: id, licence_class: 'C1', licence_first_issued: '2015-03-01', address: '福建省漳州市芗城区胜利西路1号',
    pledge: ['traffic_accident_crime', 'dangerous_driving', 'drug_use', 'drink_driving', 'full_12_points', 'violent_crime'],
    want_taxi: true, want_ride_hailing: true, delivery: 'post', office_id: 0,
    receiver: { name, phone, province: '福建省', city: '漳州市', county: '芗城区', address: '胜利西路1号' },
  }
  const saved = await c.put(`/api/v1/me/applications/${app.id}`, { data: { version: (await up.json()).version, form } })
  expect(saved.status(), await saved.text()).toBe(200)
  const submitted = await c.post(`/api/v1/me/applications/${app.id}/submit`, { data: { version: (await saved.json()).version } })
  expect(submitted.status(), await submitted.text()).toBe(200)
  const review = (await (await police.get(`/api/v1/review/applications/${app.id}`)).json()) as { version: number }
  const checks = Object.fromEntries(form.pledge.map((p) => [p, 'clear']))
  const decided = await police.post(`/api/v1/review/applications/${app.id}/decision`, { data: { version: review.version, checks, outcome: 'approve' } })
  expect(decided.status(), await decided.text()).toBe(200)
  return c
}

/** The server's clock (moved by earlier specs): advance it by a minute and read it. */
export async function serverNow(admin: APIRequestContext): Promise<Date> {
  const r = await admin.post('/api/v1/testing/clock', { data: { advance_minutes: 1 } })
  expect(r.status(), await r.text()).toBe(200)
  return new Date(((await r.json()) as { now: string }).now)
}

/** Moves the server's clock to the Shanghai wall time hh:mm of day (YYYY-MM-DD). */
export async function moveClockTo(admin: APIRequestContext, day: string, hm: string) {
  const target = new Date(`${day}T${hm}:00+08:00`).getTime()
  const now = (await serverNow(admin)).getTime()
  const minutes = Math.ceil((target - now) / 60_000)
  expect(minutes, 'the target time lies ahead').toBeGreaterThan(0)
  const r = await admin.post('/api/v1/testing/clock', { data: { advance_minutes: minutes } })
  expect(r.status(), await r.text()).toBe(200)
}

/** The Shanghai calendar day (YYYY-MM-DD) of d, addDays later. */
export const shanghaiDay = (d: Date, addDays = 0) => new Date(d.getTime() + addDays * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10)

/** Creates sessions at each time on day in room (published unless mode is preference: a round releases those); returns their ids. */
export async function createSessions(admin: APIRequestContext, centre: number, room: number, day: string, times: string[], mode = 'first_come'): Promise<number[]> {
  const bulk = { centre_id: centre, room_ids: [room], from: day, to: day, weekdays: [0, 1, 2, 3, 4, 5, 6], times, mode, publish: mode === 'first_come' }
  const r = await admin.post('/api/v1/admin/sessions/bulk', { data: bulk })
  expect(r.status(), await r.text()).toBe(201)
  const list = ((await (await admin.get(`/api/v1/admin/sessions?centre_id=${centre}`)).json()) as { items: { id: number; starts_at: string; room_id: number }[] }).items
  const starts = times.map((hm) => new Date(`${day}T${hm}:00+08:00`).getTime())
  return list.filter((s) => s.room_id === room && starts.includes(new Date(s.starts_at).getTime())).map((s) => s.id)
}

/** Publishes one session at 09:00 on day in room; returns its id. */
export async function publishSession(admin: APIRequestContext, centre: number, room: number, day: string): Promise<number> {
  return (await createSessions(admin, centre, room, day, ['09:00']))[0]
}
