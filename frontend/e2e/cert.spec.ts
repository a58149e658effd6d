// One pass, two certificates, as a new user would meet them. Registration
// and the police check go through the product's own API; the formal exam
// does not exist yet, so its "candidate qualified" hook is called by the
// test-only command `examd testdata qualify` (it calls the same
// cert.IssueForQualified the formal exam's submit will call, and refuses to
// run outside a throw-away embedded setup). Then, in the browser: the two
// e-certificates on a 360 px phone, the PDF (pdftoppm renders it, zbarimg
// decodes its QR, pdftotext reads its Chinese), the verify page (valid; an
// altered code "not genuine"), the offline verifier, the window clerk's
// waybill with the SMS carrying the tracking number, a clerk of another
// office refused, a second candidate collecting at the window, and a
// revoked certificate shown as revoked.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { request, type APIRequestContext, type Browser } from '@playwright/test'
import { SCREENSHOT_DIR, SERVER_BIN, STATE_FILE } from './paths'
import { ADMIN_PASSWORD, ADMIN_USERNAME, createStaff, expect, expectNoHorizontalScroll, logOffset, maskPhone, readSmsCode, shot, test, type ServerState } from './support'

const H = { 'X-Requested-With': 'examd' }

async function staffAPI(baseURL: string, username: string, password: string): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL, extraHTTPHeaders: H })
  const login = await ctx.post('/api/v1/auth/staff/login', { data: { username, password } })
  expect(login.status(), await login.text()).toBe(200)
  return ctx
}

/** A valid GB 11643 ID number born 1990-01-01 with sequence `seq`. */
function idNumber(seq: number): string {
  const body = `35060219900101${String(seq).padStart(3, '0')}`
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return body + '10X98765432'[sum % 11]
}

function smsLines(logPath: string, masked: string, after: number, template: string): string[] {
  const text = Buffer.from(fs.readFileSync(logPath)).subarray(after).toString('utf8')
  return text.split('\n').filter((l) => l.includes('msg="sms sent"') && l.includes(`to=${masked}`) && l.includes(`template=${template}`))
}

interface Applicant {
  phone: string
  name: string
  id: string
  applicationID: number
  api: APIRequestContext
}

/** A candidate registers and is approved by the police, all through the API. */
async function approvedApplicant(
  browser: Browser,
  server: ServerState,
  police: APIRequestContext,
  a: { phone: string; name: string; id: string; delivery: 'post' | 'pickup'; officeID: number },
): Promise<Applicant> {
  const api = await request.newContext({ baseURL: server.baseURL, extraHTTPHeaders: H })
  const from = logOffset(server.logPath)
  expect((await api.post('/api/v1/auth/sms-code', { data: { phone: a.phone } })).status()).toBe(202)
  const code = await readSmsCode(server.logPath, maskPhone(a.phone), { after: from })
  expect((await api.post('/api/v1/auth/candidate/login', { data: { phone: a.phone, code } })).status()).toBe(200)
  const started = await api.post('/api/v1/me/applications', { data: { channel: '' } })
  expect(started.status(), await started.text()).toBeLessThan(300)
  let app = (await started.json()) as { id: number; version: number }
  const form = {
    name: a.name,
    id_number: a.id,
    licence_class: 'C1',
    licence_first_issued: '2015-03-01',
    address: '福建省漳州市芗城区胜利西路1号',
    pledge: ['traffic_accident_crime', 'dangerous_driving', 'drug_use', 'drink_driving', 'full_12_points', 'violent_crime'],
    want_taxi: true,
    want_ride_hailing: true,
    delivery: a.delivery,
    receiver: a.delivery === 'post' ? { name: a.name, phone: a.phone, province: '福建省', city: '漳州市', county: '芗城区', address: '胜利西路1号3栋' } : { name: '', phone: '', province: '', city: '', county: '', address: '' },
    office_id: a.delivery === 'pickup' ? a.officeID : 0,
  }
  const saved = await api.put(`/api/v1/me/applications/${app.id}`, { data: { version: app.version, form } })
  expect(saved.status(), await saved.text()).toBe(200)
  const studio = await browser.newPage({ viewport: { width: 300, height: 400 }, deviceScaleFactor: 1 })
  await studio.setContent('<body style="margin:0;background:#d8e6f3"><div style="margin:90px auto 0;width:140px;height:170px;border-radius:70px 70px 40px 40px;background:#4a5a6a"></div></body>')
  const photo = await studio.screenshot({ type: 'jpeg', quality: 90 })
  await studio.close()
  const up = await api.post(`/api/v1/me/applications/${app.id}/photo`, { multipart: { file: { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo } } })
  expect(up.status(), await up.text()).toBe(200)
  app = (await up.json()) as { id: number; version: number }
  const sub = await api.post(`/api/v1/me/applications/${app.id}/submit`, { data: { version: app.version } })
  expect(sub.status(), await sub.text()).toBe(200)
  const review = (await (await police.get(`/api/v1/review/applications/${app.id}`)).json()) as { version: number }
  const checks = Object.fromEntries(form.pledge.map((p) => [p, 'clear']))
  const decided = await police.post(`/api/v1/review/applications/${app.id}/decision`, { data: { version: review.version, checks, outcome: 'approve', reason_code: '', reason: '' } })
  expect(decided.status(), await decided.text()).toBe(200)
  return { phone: a.phone, name: a.name, id: a.id, applicationID: app.id, api }
}

/** Stands in for the formal exam (not built yet): reports the candidate qualified. */
function qualify(server: ServerState, applicationID: number) {
  const state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { dataDir: string }
  const out = execFileSync(process.env.EXAMD_E2E_BIN || SERVER_BIN, ['testdata', 'qualify', '-application', String(applicationID)], {
    cwd: state.dataDir,
    env: { ...process.env, EXAMD_DATA_DIR: state.dataDir, EXAMD_TESTDATA: '1', EXAMD_SERVER_PUBLIC_URL: server.baseURL, EXAMD_LOG_LEVEL: 'warn',
      // the server's settings (global-setup.ts): no quiet hours
      EXAMD_SMS_QUIET_START: '00:00', EXAMD_SMS_QUIET_END: '00:00' },
    encoding: 'utf8',
  })
  expect(out).toContain(`application ${applicationID} qualified`)
}

test('certificates: two e-certificates in seconds, PDF, verify, offline verifier, post with waybill, pick-up, revoke', async ({ browser, server }) => {
  test.setTimeout(240_000)
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const admin = await staffAPI(server.baseURL, ADMIN_USERNAME, ADMIN_PASSWORD)

  // Issuing windows: the first one (id 1) posts parcels (cert.dispatch_office_id).
  const offices = ((await (await admin.get('/api/v1/admin/offices')).json()) as { items: { id: number; name: string }[] }).items
  if (!offices.some((o) => o.id === 1)) {
    expect((await admin.post('/api/v1/admin/offices', { data: { version: 0, name: '芗城发证窗口', address: '胜利西路1号', hours: '9:00-17:00', disabled: false } })).status()).toBe(201)
  }
  const other = await admin.post('/api/v1/admin/offices', { data: { version: 0, name: '龙文发证窗口', address: '建元东路2号', hours: '9:00-17:00', disabled: false } })
  const officeB = ((await other.json()) as { id: number }).id

  const stamp = Date.now().toString(36)
  await createStaff(server, { username: `police-${stamp}`, password: 'Police-pass-2026!', role: 'police_reviewer' })
  await createStaff(server, { username: `clerka-${stamp}`, password: 'Clerk-pass-2026!', role: 'window_clerk', office_id: 1 })
  await createStaff(server, { username: `clerkb-${stamp}`, password: 'Clerk-pass-2026!', role: 'window_clerk', office_id: officeB })
  const police = await staffAPI(server.baseURL, `police-${stamp}`, 'Police-pass-2026!')

  const posted = await approvedApplicant(browser, server, police, { phone: '13912350101', name: '林小梅', id: idNumber(101), delivery: 'post', officeID: 0 })
  const pickup = await approvedApplicant(browser, server, police, { phone: '13912350102', name: '陈大伟', id: idNumber(102), delivery: 'pickup', officeID: 1 })

  // Approved but not qualified yet: no certificates.
  expect((await (await posted.api.get('/api/v1/me/certificates')).json()).items).toHaveLength(0)

  // ---- the candidate passes: certificates within seconds, on the phone ----
  const smsFrom = logOffset(server.logPath)
  const passedAt = Date.now()
  qualify(server, posted.applicationID)
  const phone = await browser.newContext({ storageState: await posted.api.storageState(), viewport: { width: 360, height: 740 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const m = await phone.newPage()
  await m.goto(`${server.baseURL}/m/certificates`)
  await expect(m.getByTestId('cert-card-taxi')).toBeVisible()
  await expect(m.getByTestId('cert-card-ride_hailing')).toBeVisible()
  expect(Date.now() - passedAt, 'certificates on the phone within seconds').toBeLessThan(10_000)
  await expect(m.getByTestId('cert-card-taxi').getByTestId('cert-status')).toHaveText('有效')
  await expect(m.getByTestId('cert-card-taxi').getByTestId('cert-holder')).toHaveText('林小梅')
  await expect(m.getByTestId('delivery-method')).toContainText('邮寄到家')
  await expect(m.getByTestId('delivery-status')).toContainText('待寄出')
  await expectNoHorizontalScroll(m)
  await shot(m, 'cert-phone-cards')
  await expect.poll(() => smsLines(server.logPath, maskPhone(posted.phone), smsFrom, 'certificates_issued').length, { timeout: 20_000 }).toBe(1)

  // ---- the PDF: rendered by pdftoppm with readable Chinese, QR decoded by zbarimg ----
  const [download] = await Promise.all([m.waitForEvent('download', { timeout: 20_000 }), m.getByTestId('cert-card-taxi').getByTestId('cert-pdf').click()])
  const pdfPath = path.join(SCREENSHOT_DIR, 'cert-taxi.pdf')
  await download.saveAs(pdfPath)
  const text = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' })
  expect(text).toContain('出租汽车驾驶员从业资格证')
  expect(text).toContain('林小梅')
  execFileSync('pdftoppm', ['-r', '150', '-png', '-singlefile', pdfPath, path.join(SCREENSHOT_DIR, 'cert-taxi-pdf')])
  const qrURL = execFileSync('zbarimg', ['--raw', '-q', path.join(SCREENSHOT_DIR, 'cert-taxi-pdf.png')], { encoding: 'utf8' }).trim()
  expect(qrURL.startsWith(`${server.baseURL}/v?t=`)).toBe(true)
  await expect(m.getByTestId('cert-card-taxi').getByTestId('cert-verify-link')).toHaveAttribute('href', qrURL)

  // ---- the QR link: valid; an altered code: not genuine (never a 500) ----
  const verifier = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'zh-CN', isMobile: true })
  const v = await verifier.newPage()
  await v.goto(qrURL)
  await expect(v.getByTestId('verify-genuine')).toBeVisible()
  await expect(v.getByTestId('verify-status')).toHaveText('有效')
  await expect(v.getByTestId('verify-holder')).toContainText('林**')
  await expectNoHorizontalScroll(v)
  await shot(v, 'cert-verify-valid')
  const token = qrURL.slice(qrURL.indexOf('/v?t=') + 5)
  const altered = token.slice(0, 8) + (token[8] === 'A' ? 'B' : 'A') + token.slice(9)
  await v.goto(`${server.baseURL}/v?t=${altered}`)
  await expect(v.getByTestId('verify-not-genuine')).toContainText('不是真实证件')
  await shot(v, 'cert-verify-not-genuine')
  for (const bad of [altered, token.slice(0, token.length - 5), 'x.y.z', '']) {
    const r = await v.request.get(`${server.baseURL}/api/v1/cert/verify?token=${encodeURIComponent(bad)}`)
    expect(r.status()).toBe(422)
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('certificate_not_genuine')
  }

  // ---- the offline verifier: public keys file + QR text, no network ----
  const keys = await (await v.request.get(`${server.baseURL}/.well-known/taxiexam-certificate-keys.json`)).text() // anonymous, the well-known URL
  const keysFile = path.join(SCREENSHOT_DIR, 'cert-public-keys.json')
  fs.writeFileSync(keysFile, keys)
  const bin = process.env.EXAMD_E2E_BIN || SERVER_BIN
  const good = spawnSync(bin, ['verify-cert', '-keys', keysFile, qrURL], { encoding: 'utf8' })
  expect(good.status, good.stderr).toBe(0)
  expect(good.stdout).toContain('GENUINE')
  const forged = spawnSync(bin, ['verify-cert', '-keys', keysFile, `${server.baseURL}/v?t=${altered}`], { encoding: 'utf8' })
  expect(forged.status).toBe(1)
  expect(forged.stdout).toContain('NOT GENUINE')

  // ---- the window clerk posts the parcel: bad waybill refused, then the SMS with the tracking number ----
  const clerkCtx = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const clerk = await clerkCtx.newPage()
  await clerk.goto(`${server.baseURL}/staff/login`)
  await clerk.locator('#username').fill(`clerka-${stamp}`)
  await clerk.locator('#password').fill('Clerk-pass-2026!')
  await clerk.getByTestId('login').click()
  await expect(clerk).toHaveURL(/\/staff$/)
  await clerk.goto(`${server.baseURL}/staff/window/parcels`)
  const row = clerk.getByTestId('parcel-table').locator('tr', { hasText: '3506**********' + posted.id.slice(-4) })
  await expect(row).toBeVisible()
  const parcelID = Number(await row.locator('td').first().innerText())
  const sheet = await clerk.request.get(`${server.baseURL}/api/v1/window/parcels/sheet`)
  expect(await sheet.text()).toContain('胜利西路1号3栋')
  await row.getByTestId(`waybill-input-${parcelID}`).fill('12345')
  await row.getByTestId(`waybill-save-${parcelID}`).click()
  await expect(clerk.locator('.el-message--error')).toContainText('运单号必须是 13 位数字')
  await shot(clerk, 'cert-window-parcels')

  // A clerk of another office cannot touch it.
  const clerkB = await staffAPI(server.baseURL, `clerkb-${stamp}`, 'Clerk-pass-2026!')
  const foreign = await clerkB.post(`/api/v1/window/parcels/${parcelID}/waybill`, { data: { waybill: '1111111111111' } })
  expect(foreign.status()).toBe(404)
  expect(((await clerkB.get(`/api/v1/window/parcels/${parcelID}`)).status())).toBe(404)

  const waybill = `10${String(Date.now()).slice(-11)}`
  const mailFrom = logOffset(server.logPath)
  await row.getByTestId(`waybill-input-${parcelID}`).fill(waybill)
  await row.getByTestId(`waybill-save-${parcelID}`).click()
  await expect(clerk.locator('.el-message--success').last()).toBeVisible()
  await expect
    .poll(() => smsLines(server.logPath, maskPhone(posted.phone), mailFrom, 'certificate_mailed').filter((l) => l.includes(`waybill=${waybill}`)).length, { timeout: 20_000 })
    .toBe(1)
  await m.reload()
  await expect(m.getByTestId('delivery-waybill')).toContainText(waybill)
  await expect(m.getByTestId('delivery-status')).toContainText('已寄出')
  await shot(m, 'cert-phone-dispatched')

  // ---- a second candidate collects at the window ----
  qualify(server, pickup.applicationID)
  await clerk.goto(`${server.baseURL}/staff/window/desk`)
  const prep = clerk.getByTestId('desk-preparing').locator('tr', { hasText: '3506**********' + pickup.id.slice(-4) })
  await expect(prep).toBeVisible()
  const pickupParcel = Number(await prep.locator('td').first().innerText())
  const readyFrom = logOffset(server.logPath)
  await prep.getByTestId(`arrived-${pickupParcel}`).click()
  await expect.poll(() => smsLines(server.logPath, maskPhone(pickup.phone), readyFrom, 'ready_for_pickup').length, { timeout: 20_000 }).toBe(1)
  await clerk.getByTestId('desk-id').fill(pickup.id)
  await clerk.getByTestId('desk-find').click()
  await clerk.getByTestId('desk-found').getByTestId(`handover-${pickupParcel}`).click()
  await clerk.getByTestId('handover-id').fill(idNumber(103))
  await clerk.getByTestId('handover-confirm').click()
  await expect(clerk.getByTestId('handover-error')).toContainText('身份证号与持证人不符')
  await clerk.getByTestId('handover-id').fill(pickup.id.slice(-6))
  await clerk.getByTestId('handover-photo').click()
  await shot(clerk, 'cert-desk-handover')
  await clerk.getByTestId('handover-confirm').click()
  await expect(clerk.locator('.el-message--success').last()).toBeVisible()
  const again = await clerk.request.post(`${server.baseURL}/api/v1/window/parcels/${pickupParcel}/handover`, {
    headers: H,
    data: { version: 0, id_number: pickup.id, photo_checked: false, proxy: false, proxy_name: '', proxy_reason: '' },
  })
  expect(again.status()).toBe(409)
  expect(((await again.json()) as { error: { code: string } }).error.code).toBe('already_collected')
  const pickupPhone = await browser.newContext({ storageState: await pickup.api.storageState(), viewport: { width: 360, height: 740 }, locale: 'zh-CN' })
  const p2 = await pickupPhone.newPage()
  await p2.goto(`${server.baseURL}/m/certificates`)
  await expect(p2.getByTestId('delivery-status')).toContainText('已领取')
  await shot(p2, 'cert-phone-collected')
  await pickupPhone.close()
  await clerkCtx.close()

  // ---- the bureau revokes the first candidate's taxi certificate: the verify page says so ----
  const bureauCtx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const bureau = await bureauCtx.newPage()
  await bureau.goto(`${server.baseURL}/staff/login`)
  await bureau.locator('#username').fill(ADMIN_USERNAME)
  await bureau.locator('#password').fill(ADMIN_PASSWORD)
  await bureau.getByTestId('login').click()
  await expect(bureau).toHaveURL(/\/staff$/)
  await bureau.goto(`${server.baseURL}/staff/certificates`)
  await bureau.getByTestId('cert-search-id').fill(posted.id)
  await bureau.getByTestId('cert-search').click()
  const taxiRow = bureau.getByTestId('cert-table').locator('tr', { hasText: '出租汽车驾驶员从业资格证' })
  await expect(taxiRow).toHaveCount(1)
  await taxiRow.getByRole('button').click()
  await bureau.getByTestId('cert-revoke').click()
  await bureau.getByTestId('cert-action-submit').click()
  await expect(bureau.getByTestId('cert-action-error')).toContainText('请填写原因')
  await bureau.getByTestId('cert-reason').fill('以欺骗手段取得')
  await bureau.getByTestId('cert-action-submit').click()
  await expect(bureau.getByTestId('cert-detail-status')).toHaveText('已吊销')
  await shot(bureau, 'cert-bureau-revoked')
  await bureauCtx.close()

  await v.goto(qrURL)
  await expect(v.getByTestId('verify-status')).toHaveText('已吊销')
  await shot(v, 'cert-verify-revoked')
  const ok = spawnSync(bin, ['verify-cert', '-keys', keysFile, qrURL], { encoding: 'utf8' })
  expect(ok.status, 'offline the signature stays good; the live status needs the verify page').toBe(0)

  await verifier.close()
  await phone.close()
  for (const c of [admin, police, clerkB, posted.api, pickup.api]) await c.dispose()
})
