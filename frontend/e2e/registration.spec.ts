// Registration by QR code and the police background check, as a new user
// would do it: print a channel's QR code, decode it with zbarimg, open the
// URL on a 360 px phone, verify the phone, fill the form with a bad ID number
// (field error), fix it, submit; a police reviewer approves it in the
// console; the candidate sees "approved"; the SMS log shows each step.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { request, type APIRequestContext } from '@playwright/test'
import { SCREENSHOT_DIR } from './paths'
import {
  ADMIN_PASSWORD,
  ADMIN_USERNAME,
  createStaff,
  expect,
  expectNoHorizontalScroll,
  logOffset,
  maskPhone,
  readSmsCode,
  shot,
  test,
} from './support'

async function adminAPI(baseURL: string): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL, extraHTTPHeaders: { 'X-Requested-With': 'examd' } })
  const login = await ctx.post('/api/v1/auth/staff/login', { data: { username: ADMIN_USERNAME, password: ADMIN_PASSWORD } })
  expect(login.status(), await login.text()).toBe(200)
  return ctx
}

/** SMS templates logged by the log provider to `masked`, in order, past `after`. */
function smsTemplates(logPath: string, masked: string, after: number): string[] {
  const text = Buffer.from(fs.readFileSync(logPath)).subarray(after).toString('utf8')
  return text
    .split('\n')
    .filter((l) => l.includes('msg="sms sent"') && l.includes(`to=${masked}`))
    .map((l) => /\btemplate=(\S+)/.exec(l)?.[1] ?? '')
}

test('registration: QR code -> phone form -> police approval -> SMS at each step', async ({ page, browser, server }) => {
  test.setTimeout(180_000) // two browsers, blur check and the way forward on a shared machine
  const admin = await adminAPI(server.baseURL)
  const code = `window-${Date.now().toString(36)}`
  const created = await admin.post('/api/v1/admin/channels', { data: { name: '行政服务中心窗口', code } })
  expect(created.status(), await created.text()).toBe(201)
  const channel = (await created.json()) as { id: number; url: string }

  // Print the QR code (PNG) and decode it with an ordinary scanner.
  const png = await admin.get(`/api/v1/admin/channels/${channel.id}/qr.png?size=512`)
  expect(png.status()).toBe(200)
  expect(png.headers()['content-type']).toBe('image/png')
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const qrFile = path.join(SCREENSHOT_DIR, 'registration-qr.png')
  fs.writeFileSync(qrFile, await png.body())
  const decoded = execFileSync('zbarimg', ['--raw', '-q', qrFile], { encoding: 'utf8' }).trim()
  expect(decoded).toBe(`${server.baseURL}/m/r/${code}`)
  expect(decoded).toBe(channel.url)

  // The printable poster carries the same URL.
  const poster = await admin.get(`/api/v1/admin/channels/${channel.id}/poster`)
  expect(await poster.text()).toContain(decoded)

  // A disabled code opens a page saying so.
  const off = await admin.post('/api/v1/admin/channels', { data: { name: '旧海报', code: `${code}-old` } })
  const offChannel = (await off.json()) as { id: number; version: number; url: string }
  expect((await admin.patch(`/api/v1/admin/channels/${offChannel.id}`, { data: { version: offChannel.version, disabled: true } })).status()).toBe(200)
  await page.goto(offChannel.url)
  await expect(page.getByTestId('channel-disabled')).toContainText('该报名二维码已停用')
  await shot(page, 'registration-channel-disabled')

  // A ride-hailing platform for the public list.
  expect(
    (
      await admin.post('/api/v1/admin/platforms', {
        data: { version: 0, name: '漳州约车', licence_no: '闽交网约车（2025）001号', contact: '0596-1234567', drivers_wanted: 80, updated_on: '', disabled: false },
      })
    ).status(),
  ).toBe(201)

  // The candidate scans: the channel page, then phone verification.
  await page.goto(decoded)
  await expect(page.getByTestId('channel-name')).toContainText('行政服务中心窗口')
  await expectNoHorizontalScroll(page)
  await shot(page, 'registration-landing')
  await page.getByTestId('start-registration').click()
  await expect(page).toHaveURL(/\/m\/login\?redirect=/)

  const phone = '13812345678'
  const masked = maskPhone(phone)
  const smsFrom = logOffset(server.logPath)
  await page.locator('#phone').fill(phone)
  await page.getByTestId('send-code').click()
  const smsCode = await readSmsCode(server.logPath, masked, { after: smsFrom })
  await page.locator('#code').fill(smsCode)
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/m\/application\?channel=/)
  await expect(page.getByTestId('application-status')).toHaveText('填写中')

  // The form, with a bad ID number first: said as soon as the field is left.
  await page.locator('#reg-name').fill('张三')
  await page.locator('#reg-id-number').fill('350502199001011231')
  const idError = page.locator('.van-field', { has: page.locator('#reg-id-number') }).locator('.van-field__error-message')
  await expect(idError).toHaveCount(0) // not while typing
  await page.locator('#reg-address').click()
  await expect(idError).toHaveText('校验位不正确，请核对身份证号')
  await shot(page, 'registration-id-blur')
  await page.locator('#reg-address').fill('福建省漳州市芗城区胜利西路1号')
  await page.locator('#reg-licence-class').selectOption('C1')
  await page.locator('#reg-licence-date').fill('2015-03-01')
  // A recent ID photo: a portrait JPEG rendered by the browser itself.
  const studio = await browser.newPage({ viewport: { width: 300, height: 400 }, deviceScaleFactor: 1 })
  await studio.setContent('<body style="margin:0;background:#d8e6f3"><div style="margin:90px auto 0;width:140px;height:170px;border-radius:70px 70px 40px 40px;background:#4a5a6a"></div></body>')
  const photo = await studio.screenshot({ type: 'jpeg', quality: 90 })
  await studio.close()
  await page.locator('input[type=file]').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo })
  await expect(page.getByTestId('photo-preview')).toBeVisible()
  for (const item of ['traffic_accident_crime', 'dangerous_driving', 'drug_use', 'drink_driving', 'full_12_points', 'violent_crime']) {
    await page.getByTestId(`pledge-${item}`).click()
  }
  await page.getByTestId('delivery-post').click()
  await page.locator('#reg-receiver-name').fill('张三')
  await page.locator('#reg-receiver-phone').fill(phone)
  await page.locator('#reg-province').fill('福建省')
  await page.locator('#reg-city').fill('漳州市')
  await page.locator('#reg-county').fill('芗城区')
  await page.locator('#reg-receiver-address').fill('胜利西路1号3栋')
  await expect(page.getByTestId('save-state')).toHaveText('草稿已自动保存')

  await page.getByTestId('submit-application').click()
  await expect(idError).toHaveText('校验位不正确，请核对身份证号')
  await expect(page.getByTestId('application-status')).toHaveText('填写中')
  await expectNoHorizontalScroll(page)
  await shot(page, 'registration-bad-id')

  // The draft survives a reload (saved as typed).
  await page.reload()
  await expect(page.locator('#reg-id-number')).toHaveValue('350502199001011231')

  // Fixed: birth date and sex are derived and shown; submit.
  await page.locator('#reg-id-number').fill('35050219900101123X')
  await expect(page.getByTestId('derived').locator('input')).toHaveValue('1990-01-01 / 男')
  await page.getByTestId('submit-application').click()
  await expect(page.getByTestId('application-status')).toHaveText('已提交')
  await expect(page.locator('#reg-id-number')).toHaveCount(0) // no longer editable
  // A way forward: practice while the police check, or home.
  await expect(page.getByTestId('to-home')).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'registration-submitted')
  await page.getByTestId('to-practice').click()
  await expect(page).toHaveURL(/\/m\/practice$/)
  await page.goBack()
  await expect(page.getByTestId('application-status')).toHaveText('已提交')

  // The platform list is linked from the registration screens.
  await page.getByRole('link', { name: '查看本市合规网约车平台及用工需求' }).click()
  await expect(page.getByTestId('platform').first()).toContainText('漳州约车')
  await expectNoHorizontalScroll(page)
  await shot(page, 'registration-platforms')

  // The police reviewer approves it in the console.
  await createStaff(server, { username: 'police1', password: 'Police-pass-2026!', role: 'police_reviewer' })
  const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const staff = await staffCtx.newPage()
  await staff.goto(`${server.baseURL}/staff/login`)
  await staff.locator('#username').fill('police1')
  await staff.locator('#password').fill('Police-pass-2026!')
  await staff.getByTestId('login').click()
  await expect(staff).toHaveURL(/\/staff$/)
  await staff.goto(`${server.baseURL}/staff/review`)
  const row = staff.getByTestId('review-queue').locator('tr', { hasText: '3505**********123X' })
  await expect(row).toBeVisible()
  await shot(staff, 'review-queue')
  await row.getByRole('button', { name: '审查' }).click()
  // Opening the screen changes nothing: the ID number stays masked until the
  // reviewer takes the case (an explicit POST, audited).
  await expect(staff.getByTestId('review-id-number')).toHaveText('3505**********123X')
  await expect(staff.getByTestId('decide')).toHaveCount(0)
  await staff.getByTestId('take-case').click()
  await expect(staff.getByTestId('review-id-number')).toHaveText('35050219900101123X')
  await expect(staff.getByTestId('review-photo')).toBeVisible()
  for (const item of ['traffic_accident_crime', 'dangerous_driving', 'drug_use', 'drink_driving', 'full_12_points', 'violent_crime']) {
    await staff.getByTestId(`check-${item}`).getByText('无记录').click()
  }
  await staff.getByTestId('outcome-approve').click()
  await shot(staff, 'review-screen')
  await staff.getByTestId('decide').click()
  await expect(staff).toHaveURL(/\/staff\/review$/)
  await expect(staff.getByTestId('review-queue').locator('tr', { hasText: '3505**********123X' })).toHaveCount(0)
  await staffCtx.close()

  // The candidate sees "approved" with the timeline.
  await page.goto('/m/application')
  await expect(page.getByTestId('application-status')).toHaveText('审查通过')
  await expect(page.locator('.van-step')).toHaveCount(4)
  await expectNoHorizontalScroll(page)
  await shot(page, 'registration-approved')

  // The SMS log shows each step.
  await expect
    .poll(() => smsTemplates(server.logPath, masked, smsFrom), { timeout: 20_000 })
    .toEqual(['verification_code', 'application_received', 'background_check_passed'])

  // Statistics per channel count it.
  const stats = await admin.get('/api/v1/admin/registration/stats')
  const body = (await stats.json()) as { items: { channel_id: number; total: number; by_status: Record<string, number> }[] }
  const mine = body.items.find((i) => i.channel_id === channel.id)
  expect(mine?.total).toBe(1)
  expect(mine?.by_status.approved).toBe(1)
  await admin.dispose()
})
