// Exam booking as a new user would do it (the "Done when"): the
// bureau creates a centre with a room of 30 seats and publishes a week of
// sessions; an approved candidate on a 360 px phone books, sees the ticket
// whose QR code zbarimg decodes, reschedules, cancels, rebooks; a second
// candidate waits on the waitlist and gets the freed seat by SMS; the
// exam-eve SMS reaches the log the day before (test clock); after the
// session ends without check-in the booking shows as absent.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { type APIRequestContext, type Browser, type Page } from '@playwright/test'
import { SCREENSHOT_DIR } from './paths'
import { approvedCandidate, idNumber, staffAPI, staffLogin } from './journey'
import { ADMIN_PASSWORD, ADMIN_USERNAME, createStaff, expect, expectNoHorizontalScroll, logOffset, maskPhone, shot, test, type ServerState } from './support'

const RUN = Date.now().toString(36)

const adminAPI = (server: ServerState) => staffAPI(server, ADMIN_USERNAME, ADMIN_PASSWORD)

/** An approved candidate's logged-in session, to hand to the phone. */
async function approved(server: ServerState, browser: Browser, phone: string, name: string, seq: number, police: APIRequestContext) {
  const c = await approvedCandidate(server, browser, phone, name, idNumber(seq), police)
  const state = await c.storageState()
  await c.dispose()
  return state
}

/** SMS templates the log provider sent to phone past byte offset after. */
function smsTo(server: ServerState, phone: string, after = 0): string[] {
  const text = Buffer.from(fs.readFileSync(server.logPath)).subarray(after).toString('utf8')
  return text
    .split('\n')
    .filter((l) => l.includes('msg="sms sent"') && l.includes(`to=${maskPhone(phone)}`))
    .map((l) => /\btemplate=(\S+)/.exec(l)?.[1] ?? '')
}

async function waitForSms(server: ServerState, phone: string, template: string, after = 0): Promise<void> {
  await expect.poll(() => smsTo(server, phone, after), { timeout: 20_000 }).toContain(template)
}


/** Picks the centre in the calendar's menu when there are several (other tests add centres). */
async function chooseCentre(page: Page, name: string) {
  await expect(page.locator('.van-cell').first()).toBeVisible()
  const select = page.locator('#bk-centre')
  // The menu appears once the centres have loaded, and only when there are several.
  if (!(await select.waitFor({ timeout: 5_000 }).then(() => true, () => false))) return
  // The page may still be filling the menu or picking its default centre: choose until it stays chosen.
  await expect(async () => {
    await select.selectOption({ label: name })
    await expect(select.locator('option:checked')).toHaveText(name, { timeout: 1_000 })
  }).toPass({ timeout: 15_000 })
}

/** Books (or moves to, or waits for) the session with id from the calendar. */
async function pickSession(page: Page, id: number, button: string) {
  const row = page.locator(`[data-testid=session][data-session-id="${id}"]`)
  await row.click()
  const sheet = page.getByTestId('confirm-sheet')
  await expect(sheet.getByTestId('booking-rules')).toContainText('开考前 24 小时停止预约')
  await expect(sheet.getByTestId('confirm-booking')).toHaveText(button)
  await sheet.getByTestId('confirm-booking').click()
  await expect(page).toHaveURL(/\/m\/booking$/)
}

/** Decodes the ticket QR code the page shows, as a proctor's scanner would. */
async function decodeTicketQR(page: Page, name: string): Promise<string> {
  const src = await page.getByTestId('ticket-qr').getAttribute('src')
  const png = await page.request.get(src!)
  expect(png.headers()['content-type']).toBe('image/png')
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  fs.writeFileSync(file, await png.body())
  return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim()
}

interface Sess {
  id: number
  starts_at: string
  ends_at: string
  version: number
  capacity: number
}

test('booking: centre and week of sessions -> book, ticket QR, reschedule, cancel, rebook -> waitlist offer -> eve SMS -> absent', async ({ page, browser, server }) => {
  test.setTimeout(240_000)
  const admin = await adminAPI(server)

  // ---- the bureau: a centre, a room of 30 seats, a week of sessions ----
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, server.baseURL, ADMIN_USERNAME, ADMIN_PASSWORD)
  await staff.getByTestId('nav-booking-admin').click()
  await staff.getByTestId('new-centre').click()
  await staff.locator('#bk-centre-name').fill(`漳州市考试中心-${RUN}`)
  await staff.locator('#bk-centre-address').fill('漳州市芗城区水仙大街1号')
  await staff.getByTestId('save-centre').click()
  await expect(staff.getByTestId('centres-table')).toContainText(`漳州市考试中心-${RUN}`)
  await staff.getByTestId('new-room').click()
  await staff.locator('#bk-room-name').fill('第一考场')
  await staff.locator('#bk-room-seats').fill('30')
  await staff.getByTestId('save-room').click()
  await expect(staff.getByTestId('rooms-table')).toContainText('第一考场')
  await expect(staff.getByTestId('rooms-table')).toContainText('30')
  await staff.getByRole('tab', { name: '批量创建' }).click()
  await staff.locator('#bk-bulk-times').fill('09:00')
  await staff.getByTestId('bulk-preview').click()
  await expect(staff.getByTestId('bulk-preview-table').locator('tbody tr')).toHaveCount(7)
  await shot(staff, 'booking-admin-bulk-preview')
  await staff.getByTestId('bulk-create').click()
  await expect(staff.locator('.el-message--success', { hasText: '已创建 7 个场次' })).toBeVisible()
  await expect(staff.getByTestId('sessions-table').getByTestId('session-fill').first()).toContainText('已约 0 / 30')
  await shot(staff, 'booking-admin-sessions')

  const centres = (await (await admin.get('/api/v1/admin/centres')).json()) as { items: { id: number; name: string }[] }
  const centre = centres.items.find((c) => c.name === `漳州市考试中心-${RUN}`)!
  const week = ((await (await admin.get(`/api/v1/admin/sessions?centre_id=${centre.id}`)).json()) as { items: Sess[] }).items
  expect(week).toHaveLength(7)
  // The month view shows the same week on a calendar; a session opens its roster.
  await staff.getByTestId('session-view').getByText('月历').click()
  if (week[0].starts_at.slice(0, 7) !== new Date().toISOString().slice(0, 7)) await staff.locator('.el-calendar__button-group button').nth(2).click()
  const cell = staff.getByTestId(`cal-session-${week[0].id}`)
  await expect(cell).toContainText('09:00 0/30')
  await shot(staff, 'booking-admin-month')
  await cell.click()
  await expect(staff.getByTestId('roster-table')).toBeVisible()
  await staff.keyboard.press('Escape')
  await staff.getByTestId('session-view').getByText('列表').click()
  const [s1, s2, s3] = [week[2], week[3], week[5]] // all beyond the 24 h cutoff
  // The bureau limits one session to a single seat (a full session for the waitlist).
  const one = await admin.patch(`/api/v1/admin/sessions/${s3.id}`, { data: { version: s3.version, capacity: 1 } })
  expect(one.status(), await one.text()).toBe(200)

  // ---- two approved candidates ----
  await createStaff(server, { username: `police-${RUN}`, password: 'Police-pass-2026!', role: 'police_reviewer' })
  const police = await staffAPI(server, `police-${RUN}`, 'Police-pass-2026!')
  const phoneA = '13912340001'
  const phoneB = '13912340002'
  const stateA = await approved(server, browser, phoneA, '陈一', 101, police)
  const stateB = await approved(server, browser, phoneB, '林二', 102, police)

  // ---- A books on the phone ----
  await page.context().addCookies(stateA.cookies)
  await page.goto('/m')
  await expect(page.getByTestId('go-booking')).toContainText('审查已通过，请预约考试日期和场次')
  await page.getByTestId('go-booking').click()
  await page.getByTestId('go-calendar').click()
  await chooseCentre(page, `漳州市考试中心-${RUN}`)
  await expect(page.locator(`[data-testid=session][data-session-id="${s1.id}"]`)).toContainText('余 30 座')
  await expectNoHorizontalScroll(page)
  await shot(page, 'booking-calendar')
  await pickSession(page, s1.id, '确认预约')
  const ticket = page.getByTestId('ticket')
  await expect(ticket.getByTestId('ticket-name')).toHaveText('陈一')
  await expect(ticket.getByTestId('ticket-seat')).toContainText('1')
  await expect(ticket.getByTestId('ticket-time')).toContainText(s1.starts_at.slice(0, 10))
  await expect(ticket).toContainText('3506**********')
  await expectNoHorizontalScroll(page)
  await shot(page, 'booking-ticket')
  const ticketNo = (await ticket.getByTestId('ticket-no').textContent())!.trim()
  const code = await decodeTicketQR(page, 'booking-ticket-qr')
  expect(code.startsWith(`TK1.${ticketNo}.`)).toBe(true)
  const verified = await admin.post('/api/v1/proctor/tickets/verify', { data: { code } })
  expect(verified.status(), await verified.text()).toBe(200)
  const forged = await admin.post('/api/v1/proctor/tickets/verify', { data: { code: code.replace(ticketNo, ticketNo.slice(0, -1) + ((Number(ticketNo.slice(-1)) + 1) % 10)) } })
  expect(((await forged.json()) as { error: { code: string } }).error.code).toBe('ticket_invalid')
  await waitForSms(server, phoneA, 'booking_confirmed')

  // Reschedule to another day, then cancel, then rebook the one-seat session.
  await page.getByTestId('reschedule').click()
  await chooseCentre(page, `漳州市考试中心-${RUN}`)
  await pickSession(page, s2.id, '确认改约')
  await expect(ticket.getByTestId('ticket-time')).toContainText(s2.starts_at.slice(0, 10))
  await waitForSms(server, phoneA, 'booking_rescheduled')
  await page.getByTestId('cancel-booking').click()
  await page.locator('.van-dialog__confirm').click()
  await expect(page.getByTestId('go-calendar')).toBeVisible()
  await waitForSms(server, phoneA, 'booking_cancelled')
  await page.getByTestId('go-calendar').click()
  await chooseCentre(page, `漳州市考试中心-${RUN}`)
  await pickSession(page, s3.id, '确认预约')
  await expect(ticket.getByTestId('ticket-time')).toContainText(s3.starts_at.slice(0, 10))

  // ---- B finds the session full and waits ----
  const phoneCtx = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: server.baseURL, storageState: stateB })
  const pageB = await phoneCtx.newPage()
  await pageB.goto('/m')
  await pageB.getByTestId('go-booking').click()
  await pageB.getByTestId('go-calendar').click()
  await chooseCentre(pageB, `漳州市考试中心-${RUN}`)
  await expect(pageB.locator(`[data-testid=session][data-session-id="${s3.id}"]`).getByTestId('session-full')).toHaveText('已满')
  await pickSession(pageB, s3.id, '加入候补')
  await expect(pageB.getByTestId('waiter-ahead')).toHaveText('前面还有 0 人')
  await shot(pageB, 'booking-waitlist')

  // A cancels: the seat is held for B, who is told by SMS and takes it.
  const beforeOffer = logOffset(server.logPath)
  await page.getByTestId('cancel-booking').click()
  await page.locator('.van-dialog__confirm').click()
  await expect(page.getByTestId('go-calendar')).toBeVisible()
  await waitForSms(server, phoneB, 'waitlist_offer', beforeOffer)
  await pageB.reload()
  await expect(pageB.getByTestId('offer')).toBeVisible()
  await pageB.getByTestId('accept-offer').click()
  await expect(pageB.getByTestId('ticket').getByTestId('ticket-name')).toHaveText('林二')
  await expect(pageB.getByTestId('ticket').getByTestId('ticket-seat')).toContainText('1')
  await shot(pageB, 'booking-offer-taken')

  // ---- the eve of the exam (test clock): B's reminder, none of A's ----
  const eve = new Date(Date.parse(s3.starts_at) - 15 * 3600_000 + 5 * 60_000) // 18:05 the day before a 09:00 start
  const beforeEve = logOffset(server.logPath)
  let moved = await admin.post('/api/v1/testing/clock', { data: { advance_minutes: Math.ceil((eve.getTime() - Date.now()) / 60_000) } })
  expect(moved.status(), await moved.text()).toBe(200)
  await waitForSms(server, phoneB, 'exam_reminder', beforeEve)
  expect(smsTo(server, phoneA, beforeEve)).not.toContain('exam_reminder')

  // ---- the session ends without check-in: absent ----
  // (Five days later the admin's 12-hour staff session has expired: log in again.)
  const after = Date.parse(s3.ends_at) + 10 * 60_000
  const now = Date.parse(((await moved.json()) as { now: string }).now)
  const admin2 = await adminAPI(server)
  moved = await admin2.post('/api/v1/testing/clock', { data: { advance_minutes: Math.ceil((after - now) / 60_000) } })
  expect(moved.status(), await moved.text()).toBe(200)
  await expect
    .poll(async () => {
      await pageB.reload()
      return pageB.getByTestId('booking-status').textContent({ timeout: 2_000 }).catch(() => '')
    }, { timeout: 20_000 })
    .toBe('缺考')
  await expectNoHorizontalScroll(pageB)
  await shot(pageB, 'booking-absent')
  await pageB.goto('/m')
  await expect(pageB.getByTestId('go-booking')).toContainText('您缺考了')
  // The absence feeds the statistics (booked / sat / absent per centre and
  // day); the clock moved past the staff session's 12 hours again.
  const admin3 = await adminAPI(server)
  const stats = (await (await admin3.get(`/api/v1/admin/booking/stats?from=${s3.starts_at.slice(0, 10)}&to=${s3.starts_at.slice(0, 10)}`)).json()) as {
    items: { centre_id: number; absent: number; sat: number }[]
  }
  expect(stats.items.find((d) => d.centre_id === centre.id)?.absent).toBe(1)

  await phoneCtx.close()
  await staffCtx.close()
  await police.dispose()
  await admin.dispose()
  await admin2.dispose()
  await admin3.dispose()
})
