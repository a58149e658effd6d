// A preference round (志愿分配) as a new user would do it: the bureau
// releases two preference-mode sessions in a round from the console (its
// random seed published at once); three approved candidates rank them on
// a 360 px phone; at the close the server allocates the seats by the
// published rule and every candidate finds a ticket for their choice on
// the phone; the console shows the allocation in pass order.
import { type Browser, type BrowserContextOptions } from '@playwright/test'
import { approvedCandidate, createSessions, idNumber, serverNow, shanghaiDay, staffAPI, staffLogin } from './journey'
import { ADMIN_PASSWORD, ADMIN_USERNAME, createCentre, createStaff, expect, shot, test, type ServerState } from './support'

const RUN = Date.now().toString(36)

/** The Shanghai wall time of d as the console's date-time input takes it. */
const shanghaiInput = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ')

async function phoneOf(browser: Browser, server: ServerState, state: BrowserContextOptions['storageState']) {
  const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', baseURL: server.baseURL, storageState: state })
  return ctx.newPage()
}

test('preference round: release sessions in a round -> candidates rank them on the phone -> allocation at the close -> tickets', async ({ browser, server }) => {
  test.setTimeout(180_000)
  const admin = await staffAPI(server, ADMIN_USERNAME, ADMIN_PASSWORD)
  const centreName = `志愿考点-${RUN}`
  const centre = await createCentre(server, centreName)
  const roomRes = await admin.post(`/api/v1/admin/centres/${centre}/rooms`, { data: { name: '志愿考场', seats: 2 } })
  expect(roomRes.status(), await roomRes.text()).toBe(201)
  const room = ((await roomRes.json()) as { id: number }).id
  const now = await serverNow(admin)
  const day = shanghaiDay(now, 3)
  const [morning, afternoon] = await createSessions(admin, centre, room, day, ['09:00', '14:30'], 'preference')
  expect(morning && afternoon, 'both sessions made').toBeTruthy()

  // ---- the bureau releases both in a round from the console ----
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const staff = await staffCtx.newPage()
  await staffLogin(staff, server.baseURL, ADMIN_USERNAME, ADMIN_PASSWORD)
  await staff.goto(`${server.baseURL}/staff/booking`)
  await staff.getByRole('tab', { name: '志愿分配' }).click()
  const pane = staff.getByRole('tabpanel', { name: '志愿分配' })
  await pane.getByLabel('名称').fill(`十二月志愿-${RUN}`)
  const closes = new Date(now.getTime() + 2 * 3_600_000)
  const picker = pane.locator('.el-date-editor input')
  await picker.fill(shanghaiInput(closes))
  await picker.press('Enter')
  // The form offers every centre's unreleased preference sessions, each named with its centre.
  const offered = pane.locator('.el-checkbox', { hasText: centreName })
  await offered.filter({ hasText: '09:00' }).click()
  await offered.filter({ hasText: '14:30' }).click()
  await pane.getByRole('button', { name: '发起志愿分配' }).click()
  const row = staff.getByTestId('rounds-table').locator('tr', { hasText: `十二月志愿-${RUN}` })
  await expect(row).toContainText('填报中')
  const rounds = ((await (await admin.get('/api/v1/admin/rounds')).json()) as { items: { id: number; name: string; seed: string }[] }).items
  const round = rounds.find((r) => r.name === `十二月志愿-${RUN}`)!
  expect(round.seed, 'the seed is published when the round opens').toMatch(/^[0-9a-f]{16,}$/)
  await shot(staff, 'booking-round-console-open')

  // ---- three approved candidates rank the sessions on the phone ----
  await createStaff(server, { username: `police-rd-${RUN}`, password: 'Police-pass-2026!', role: 'police_reviewer' })
  const police = await staffAPI(server, `police-rd-${RUN}`, 'Police-pass-2026!')
  const people = [
    { phone: '13912367701', name: '郑一', seq: 201, picks: ['09:00', '14:30'], gets: '09:00' },
    { phone: '13912367702', name: '王二', seq: 202, picks: ['09:00'], gets: '09:00' },
    { phone: '13912367703', name: '张三', seq: 203, picks: ['14:30', '09:00'], gets: '14:30' },
  ]
  const phones = []
  for (const p of people) {
    const c = await approvedCandidate(server, browser, p.phone, p.name, idNumber(p.seq), police)
    const page = await phoneOf(browser, server, await c.storageState())
    await c.dispose()
    await page.goto('/m/booking')
    await page.getByTestId('go-round').click()
    const mine = page.getByTestId('round').filter({ hasText: `十二月志愿-${RUN}` })
    await expect(mine).toContainText(round.seed)
    for (const [i, hm] of p.picks.entries()) {
      const cell = mine.getByTestId('round-session').filter({ hasText: hm })
      await cell.click()
      await expect(cell).toContainText(`第 ${i + 1} 志愿`)
    }
    await mine.getByTestId('round-submit').click()
    await expect(page.locator('.van-toast')).toContainText('志愿已保存')
    phones.push(page)
  }
  await shot(phones[0], 'booking-round-phone-ranked')

  // ---- the round closes: the server allocates, each candidate has a ticket for their choice ----
  const moved = await admin.post('/api/v1/testing/clock', { data: { advance_minutes: 121 } })
  expect(moved.status(), await moved.text()).toBe(200)
  await expect
    .poll(async () => ((await (await admin.get(`/api/v1/admin/rounds/${round.id}`)).json()) as { round: { status: string } }).round.status, { timeout: 30_000 })
    .toBe('allocated')
  for (const [i, p] of people.entries()) {
    const page = phones[i]
    await page.goto('/m/booking')
    await expect(page.getByTestId('ticket-name')).toHaveText(p.name)
    await expect(page.getByTestId('ticket-time')).toContainText(p.gets)
  }
  await shot(phones[2], 'booking-round-phone-ticket')

  // ---- the console: allocated, in pass order with the seed ----
  await staff.reload()
  await staff.getByRole('tab', { name: '志愿分配' }).click()
  await expect(row).toContainText('已分配 3 人，未分配 0 人')
  await row.getByRole('button', { name: /已分配 3 人/ }).click()
  const drawer = staff.locator('.el-drawer').filter({ hasText: round.seed })
  await expect(drawer).toBeVisible()
  const lines = drawer.getByTestId('round-result').locator('tbody tr')
  await expect(lines).toHaveCount(3)
  // Pass order = approval order: 郑一, 王二, 张三, masked, with the choice each got and its session.
  await expect(lines.nth(0)).toContainText('郑*')
  await expect(lines.nth(0)).toContainText('第 1 志愿')
  await expect(lines.nth(2)).toContainText('张*')
  await expect(lines.nth(2)).toContainText('14:30')
  await expect(drawer).not.toContainText(idNumber(201))
  await shot(staff, 'booking-round-console-result')
})
