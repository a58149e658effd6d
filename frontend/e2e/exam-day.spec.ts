// Exam day as a new user would do it (issue #9 "Done when"): a proctor on a
// tablet-sized browser opens today's session, checks a candidate in by
// showing the ticket QR to the camera (Chromium's fake camera fed with a
// video of the ticket's QR), sees the photo, starts the session; the
// candidate logs in on an enrolled terminal, answers, reloads, is moved to
// another terminal, answers on and submits; the seat map shows each step;
// the result appears on the terminal and by SMS; the candidate, who failed
// only the regional subject, books a retake whose paper holds only that
// subject, passes it, and has both certificates (一考两证) on the phone at
// once with their SMS.
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type Page } from '@playwright/test'
import { CHROMIUM_ARGS } from '../playwright.config'
import { SCREENSHOT_DIR, TMP_DIR } from './paths'
import { approvedCandidate, HDR, idNumber, moveClockTo, publishSession, serverNow, shanghaiDay, staffAPI, staffLogin } from './journey'
import { ADMIN_PASSWORD, ADMIN_USERNAME, createStaff, expect, maskPhone, shot, test } from './support'

const RUN = Date.now().toString(36)

/**
 * A Y4M video (Chromium's fake camera) showing png centred on white: the
 * picture is drawn in a page and its luminance becomes the Y plane.
 */
async function qrVideo(page: Page, png: Buffer, file: string) {
  const W = 640
  const H = 480
  const y = await page.evaluate(
    async ({ b64, W, H }) => {
      const img = new Image()
      img.src = `data:image/png;base64,${b64}`
      await img.decode()
      const c = document.createElement('canvas')
      c.width = W
      c.height = H
      const g = c.getContext('2d')!
      g.fillStyle = '#fff'
      g.fillRect(0, 0, W, H)
      g.imageSmoothingEnabled = false
      g.drawImage(img, (W - 400) / 2, (H - 400) / 2, 400, 400)
      const d = g.getImageData(0, 0, W, H).data
      let s = ''
      for (let i = 0; i < W * H; i++) s += String.fromCharCode(Math.round(0.299 * d[i * 4] + 0.587 * d[i * 4 + 1] + 0.114 * d[i * 4 + 2]))
      return btoa(s)
    },
    { b64: png.toString('base64'), W, H },
  )
  const Y = Buffer.from(y, 'base64')
  const UV = Buffer.alloc((W / 2) * (H / 2) * 2, 128)
  const frame = Buffer.concat([Buffer.from('FRAME\n'), Y, UV])
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F5:1 Ip A1:1 C420jpeg\n`), ...Array(10).fill(frame)]))
}

/** Opens /terminal in a fresh PC-sized context and returns it with its enrolment code. */
async function newTerminal(browser: Browser, baseURL: string): Promise<{ page: Page; code: string }> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await ctx.newPage()
  await page.goto(`${baseURL}/terminal`)
  const code = (await page.getByTestId('enrol-code').textContent())!.trim()
  expect(code).toMatch(/^[A-Z2-9]{6}$/)
  return { page, code }
}

async function terminalLogin(page: Page, ticket: string, id: string) {
  await page.getByTestId('ticket-no').locator('input').fill(ticket)
  await page.getByTestId('id-number').locator('input').fill(id)
  await page.getByTestId('login').click()
}

test('exam day: enrol terminals -> QR check-in with photo -> start -> answer, reload, move, submit -> result and SMS -> retake of the failed subject only', async ({ page, browser, server }) => {
  test.setTimeout(300_000)
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  // Staff sessions last 12 h of server time: log in again after every clock move.
  let admin = await staffAPI(server, ADMIN_USERNAME, ADMIN_PASSWORD)
  const centre = ((await (await admin.post('/api/v1/admin/centres', { data: { name: `考点-${RUN}`, address: '漳州市芗城区考试路1号' } })).json()) as { id: number }).id
  const roomRes = await admin.post(`/api/v1/admin/centres/${centre}/rooms`, { data: { name: '第一考场', seats: 4 } })
  expect(roomRes.status(), await roomRes.text()).toBe(201)
  const room = ((await roomRes.json()) as { id: number }).id
  const proctorUser = { username: `proctor${RUN}`, password: 'Proctor-pass-2026', role: 'proctor' as const, centre_id: centre }
  await createStaff(server, proctorUser)
  await createStaff(server, { username: `police${RUN}`, password: 'Police-pass-2026', role: 'police_reviewer' })
  const police = await staffAPI(server, `police${RUN}`, 'Police-pass-2026')

  const now = await serverNow(admin)
  const day = shanghaiDay(now, 2)
  const session = await publishSession(admin, centre, room, day)
  const phone = `139${String(Date.now()).slice(-8)}`
  const id = idNumber(500 + (Date.now() % 400)) // 500-899: clear of the other specs' fixed ID numbers
  const cand = await approvedCandidate(server, browser, phone, '郑考生', id, police)
  const booked = await cand.post('/api/v1/me/booking', { data: { session_id: session } })
  expect(booked.status(), await booked.text()).toBe(201)
  const home = (await booked.json()) as { ticket: { ticket_no: string }; eligibility: { subjects: string[] } }
  const ticket = home.ticket.ticket_no
  const qr = await cand.get('/api/v1/me/booking/ticket/qr.png?size=400')
  expect(qr.headers()['content-type']).toBe('image/png')
  const video = path.join(TMP_DIR, `ticket-${RUN}.y4m`)
  await qrVideo(page, await qr.body(), video)

  // ---- exam morning, 08:40: the proctor on a tablet with a camera
  await moveClockTo(admin, day, '08:40')
  admin = await staffAPI(server, ADMIN_USERNAME, ADMIN_PASSWORD)
  const camBrowser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  })
  const tabletCtx = await camBrowser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', permissions: ['camera'], baseURL: server.baseURL })
  const tablet = await tabletCtx.newPage()
  await staffLogin(tablet, server.baseURL, proctorUser.username, proctorUser.password)
  await tablet.goto(`${server.baseURL}/staff/exam-day`)
  await expect(tablet.getByTestId('run-state')).toHaveText('未开考')
  await expect(tablet.getByTestId(`state-${ticket}`)).toHaveText('未到场')

  // ---- two PCs of the room show their codes; the proctor enrols them at seats 1 and 2
  const t1 = await newTerminal(browser, server.baseURL)
  const t2 = await newTerminal(browser, server.baseURL)
  await shot(t1.page, 'exam-day-terminal-enrol')
  await tablet.getByRole('tab', { name: '考试终端' }).click()
  for (const [term, seat] of [[t1, 1], [t2, 2]] as const) {
    await tablet.getByTestId('enrol-code-input').locator('input').fill(term.code)
    await tablet.getByTestId('enrol-seat').locator('input').fill(String(seat))
    await tablet.getByTestId('enrol').click()
    await expect(tablet.locator('.el-message--success', { hasText: `终端已登记到 ${seat} 号座` })).toBeVisible()
    await expect(term.page.getByTestId('terminal-seat')).toHaveText(`${seat} 号座`, { timeout: 15_000 })
  }

  // Before check-in the ticket does not open the terminal.
  await terminalLogin(t1.page, ticket, id)
  await expect(t1.page.getByTestId('login-error')).toHaveText('尚未检录，请先到监考员处检录')

  // ---- check-in: the ticket QR shown to the camera; the photo beside the live candidate
  await tablet.getByRole('tab', { name: '检录' }).click()
  await tablet.getByTestId('scan').click()
  await expect(tablet.getByTestId('found-name')).toHaveText('郑考生', { timeout: 20_000 })
  await expect(tablet.getByTestId('photo')).toBeVisible()
  expect(await tablet.getByTestId('photo').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  await shot(tablet, 'exam-day-checkin')
  await tablet.getByTestId('admit').click()
  await expect(tablet.locator('.el-message--success', { hasText: '郑考生 已检录' })).toBeVisible()
  await tablet.getByRole('tab', { name: '座位图' }).click()
  await expect(tablet.getByTestId(`state-${ticket}`)).toHaveText('已检录')

  // Checked in but not started yet.
  await terminalLogin(t1.page, ticket, id)
  await expect(t1.page.getByTestId('login-error')).toHaveText('考试尚未开始，请等待监考员开考')

  // ---- start
  await tablet.getByTestId('start').click()
  await tablet.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click()
  await expect(tablet.getByTestId('run-state')).toContainText('已开考')

  // ---- the candidate on terminal 1: a wrong ID number, then the right one
  await terminalLogin(t1.page, ticket, idNumber(999))
  await expect(t1.page.getByTestId('login-error')).toHaveText('准考证号或身份证号不正确')
  await terminalLogin(t1.page, ticket, id)
  await expect(t1.page.getByTestId('countdown')).toBeVisible()
  await expect(t1.page.getByTestId('position')).toContainText('第 1/')
  await t1.page.locator('[data-testid^=option-]').first().click()
  await expect(t1.page.getByTestId('save-state')).toHaveText('已保存')
  await expect(tablet.getByTestId(`state-${ticket}`)).toHaveText('答题中', { timeout: 10_000 })
  await expect(tablet.getByTestId(`progress-${ticket}`)).toContainText('已答 1/', { timeout: 10_000 })
  await shot(t1.page, 'exam-day-terminal-question')

  // A reload resumes the same paper: question 1 answered, on to question 2.
  await t1.page.reload()
  await expect(t1.page.getByTestId('position')).toContainText('第 2/')
  const paper = (await (await t1.page.request.get('/api/v1/terminal/exam')).json()) as {
    sections: { subject: string }[]
    questions: { question_id: number; section: number; given: string[]; answer?: string[] }[]
  }
  expect(paper.sections.map((s) => s.subject)).toEqual(['national', 'regional'])
  expect(paper.questions[0].given.length).toBe(1)
  expect(paper.questions.every((q) => !q.answer?.length), 'no key before submission').toBe(true)

  // ---- the proctor moves the candidate to terminal 2 (seat 2) mid-exam
  await tablet.getByTestId(`move-${ticket}`).first().click()
  await tablet.getByTestId('move-target').locator('.el-select__wrapper').click()
  await tablet.locator('.el-select-dropdown__item', { hasText: '2 号座' }).click()
  await tablet.getByTestId('action-reason').locator('textarea').fill('1 号终端键盘故障')
  await tablet.getByTestId('action-confirm').click()
  await expect(tablet.getByTestId('seat-1')).toContainText('终端 2 号座')
  await t1.page.reload()
  await expect(t1.page.getByTestId('login-error')).toHaveText('您的座位不在这台终端，请按监考员安排就座')
  await terminalLogin(t2.page, ticket, id)
  await expect(t2.page.getByTestId('position')).toContainText('第 2/')

  // ---- answers on: every national question right (keys from the bank), the regional ones left blank
  const nationalIdx = paper.sections.findIndex((s) => s.subject === 'national')
  let seq = Date.now() * 1000
  for (const q of paper.questions.filter((x) => x.section === nationalIdx)) {
    const res = await admin.get(`/api/v1/bank/questions/${q.question_id}`)
    expect(res.status(), await res.text()).toBe(200)
    const bq = (await res.json()) as { answer: string[] }
    const r = await t2.page.request.put(`/api/v1/terminal/exam/answers/${q.question_id}`, { headers: HDR, data: { given: bq.answer, seq: ++seq, marked: false } })
    expect(r.status(), await r.text()).toBe(200)
  }
  await t2.page.reload()
  await expect(t2.page.getByTestId('countdown')).toBeVisible()
  await t2.page.getByTestId('submit').click()
  await t2.page.locator('.van-dialog').getByRole('button', { name: /确认|确定/ }).click()

  // ---- the result at once on the terminal, on the seat map and by SMS
  await expect(t2.page.getByTestId('result-national')).toContainText(/· 合格/)
  await expect(t2.page.getByTestId('result-regional')).toContainText('· 不合格')
  await expect(t2.page.getByTestId('verdict')).toContainText('未全部合格')
  await shot(t2.page, 'exam-day-terminal-result')
  await expect(tablet.getByTestId(`state-${ticket}`)).toHaveText('已交卷', { timeout: 10_000 })
  await expect(tablet.getByTestId(`score-${ticket}`)).toContainText('不合格')
  await expect(tablet.getByTestId(`progress-${ticket}`)).not.toContainText('已答 0/')
  await expect
    .poll(() => fs.readFileSync(server.logPath, 'utf8').split('\n').some((l) => l.includes('msg="sms sent"') && l.includes(`to=${maskPhone(phone)}`) && l.includes('template=exam_result')), { timeout: 20_000 })
    .toBe(true)
  await shot(tablet, 'exam-day-seat-map')
  await tablet.getByTestId('end').click()
  await tablet.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click()
  await expect(tablet.getByTestId('run-state')).toContainText('已结束')

  // ---- the scores console: pass rates of my centre, the appeal view of the exact paper
  await tablet.goto(`${server.baseURL}/staff/scores`)
  await expect(tablet.getByTestId('pass-rates')).toContainText('全国公共科目：参考 1 人次，合格 1，合格率 100%')
  await expect(tablet.getByTestId('pass-rates')).toContainText('区域科目：参考 1 人次，合格 0，合格率 0%')
  await tablet.getByTestId('scores').getByRole('button', { name: '试卷复核' }).first().click()
  await expect(tablet.getByTestId('appeal-question')).toHaveCount(paper.questions.length)
  await expect(tablet.getByTestId('appeal-question').first()).toContainText('标准答案')
  await shot(tablet, 'exam-day-scores-appeal')
  await tablet.keyboard.press('Escape')

  // ---- the retake: booking offers only the regional subject, and its paper holds only that section
  const retakeDay = shanghaiDay(new Date(`${day}T12:00:00+08:00`), 2)
  const retake = await publishSession(admin, centre, room, retakeDay)
  const home2 = (await (await cand.get('/api/v1/me/booking')).json()) as { eligibility: { may_book: boolean; subjects: string[] } }
  expect(home2.eligibility).toMatchObject({ may_book: true, subjects: ['regional'] })
  const rebooked = await cand.post('/api/v1/me/booking', { data: { session_id: retake } })
  expect(rebooked.status(), await rebooked.text()).toBe(201)
  const ticket2 = ((await rebooked.json()) as { ticket: { ticket_no: string } }).ticket.ticket_no
  await moveClockTo(admin, retakeDay, '08:45')
  await staffLogin(tablet, server.baseURL, proctorUser.username, proctorUser.password)
  await tablet.goto(`${server.baseURL}/staff/exam-day`)
  await expect(tablet.getByTestId('session-select')).toContainText('09:00') // today's only session: the retake
  await tablet.getByRole('tab', { name: '检录' }).click()
  await tablet.getByTestId('ticket-input').locator('input').fill(ticket2)
  await tablet.getByTestId('look-up').click()
  await tablet.getByTestId('admit').click()
  await expect(tablet.locator('.el-message--success', { hasText: '郑考生 已检录' })).toBeVisible()
  await tablet.getByTestId('start').click()
  await tablet.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click()
  await t1.page.reload()
  await terminalLogin(t1.page, ticket2, id)
  await expect(t1.page.getByTestId('countdown')).toBeVisible()
  await expect(t1.page.getByText('区域科目')).toBeVisible()
  const paper2 = (await (await t1.page.request.get('/api/v1/terminal/exam')).json()) as { sections: { subject: string }[] }
  expect(paper2.sections.map((s) => s.subject)).toEqual(['regional'])
  await shot(t1.page, 'exam-day-retake-regional-only')

  // ---- one pass, two certificates: the retake passed, both certificates are on the phone at once
  const paper2q = (await (await t1.page.request.get('/api/v1/terminal/exam')).json()) as { questions: { question_id: number }[] }
  const admin2 = await staffAPI(server, ADMIN_USERNAME, ADMIN_PASSWORD) // two days on: the first admin session has expired
  for (const q of paper2q.questions) {
    const res = await admin2.get(`/api/v1/bank/questions/${q.question_id}`)
    expect(res.status(), await res.text()).toBe(200)
    const bq = (await res.json()) as { answer: string[] }
    const r = await t1.page.request.put(`/api/v1/terminal/exam/answers/${q.question_id}`, { headers: HDR, data: { given: bq.answer, seq: ++seq, marked: false } })
    expect(r.status(), await r.text()).toBe(200)
  }
  await t1.page.reload()
  await t1.page.getByTestId('submit').click()
  await t1.page.locator('.van-dialog').getByRole('button', { name: /确认|确定/ }).click()
  await expect(t1.page.getByTestId('result-regional')).toContainText(/· 合格/)
  await expect(t1.page.getByTestId('verdict')).toHaveText('全部科目合格')
  const certs = (await (await cand.get('/api/v1/me/certificates')).json()) as { items: { kind: string; status: string }[] }
  expect(certs.items.map((c) => `${c.kind}:${c.status}`).sort()).toEqual(['ride_hailing:valid', 'taxi:valid'])
  await expect
    .poll(() => fs.readFileSync(server.logPath, 'utf8').split('\n').some((l) => l.includes('msg="sms sent"') && l.includes(`to=${maskPhone(phone)}`) && l.includes('template=certificates_issued')), { timeout: 20_000 })
    .toBe(true)
  await camBrowser.close()
})
