// The bureau's management end as a new user meets it (issue 11, "Done
// when"): on a fresh server the bureau admin runs `examd demo` (the reform
// preset: Zhangzhou's 2024 and 2023), logs in for the first time (the
// embedded default requires two-step verification of bureau admins: the
// login enrols the authenticator; a wrong code is refused), opens the
// statistics and sees the reform's figures in cards, charts and tables,
// exports them as xlsx and reads the file back, opens a candidate's
// dossier and downloads its PDF, verifies the ledger, then logs out and in
// again with a TOTP code (a replayed code is refused).
//
// The demo refuses a database that holds candidates, and the other specs
// fill the shared server's, so this file starts its own `examd` on a data
// dir of its own: `examd demo` first (about 20 s for the full reform
// preset on a loaded 2-core machine, measured in the log line), then
// `examd serve` with the embedded defaults.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { inflateRawSync } from 'node:zlib'
import { test, expect, type BrowserContext, type Page } from '@playwright/test'
import { SERVER_BIN, TMP_DIR } from './paths'
import { expectNoHorizontalScroll, shot } from './support'

const ADMIN = 'bureau'
const PASSWORD = 'Bureau-pass-2026!'

// ---------------------------------------------------------------- TOTP (RFC 6238, node crypto)

function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const c of text.replace(/[\s=]+/g, '').toUpperCase()) {
    const v = alphabet.indexOf(c)
    if (v < 0) throw new Error(`not base32: ${c}`)
    bits += v.toString(2).padStart(5, '0')
  }
  const out: number[] = []
  for (let i = 0; i + 8 <= bits.length; i += 8) out.push(parseInt(bits.slice(i, i + 8), 2))
  return Buffer.from(out)
}

/** The 6-digit code of secret for the 30-second step holding time t (ms). */
function totp(secret: string, t = Date.now()): string {
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30_000)))
  const h = crypto.createHmac('sha1', base32(secret)).update(counter).digest()
  const o = h[h.length - 1] & 0x0f
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0')
}

// RFC 6238 appendix B's first SHA-1 vector: the helper itself is right.
if (totp(base32Encode(Buffer.from('12345678901234567890')), 59_000) !== '287082') throw new Error('totp() disagrees with RFC 6238')

function base32Encode(b: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  const bits = [...b].map((x) => x.toString(2).padStart(8, '0')).join('')
  let out = ''
  for (let i = 0; i < bits.length; i += 5) out += alphabet[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)]
  return out
}

// ---------------------------------------------------------------- xlsx (a zip of XML parts)

/** The parts of a zip file by name (stored or deflated entries, as xlsx writers make). */
function unzip(buf: Buffer): Map<string, string> {
  let eocd = buf.length - 22
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  if (eocd < 0) throw new Error('not a zip file')
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  const parts = new Map<string, string>()
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad zip central directory')
    const method = buf.readUInt16LE(p + 10)
    const size = buf.readUInt32LE(p + 20)
    const nameLen = buf.readUInt16LE(p + 28)
    const extraLen = buf.readUInt16LE(p + 30)
    const commentLen = buf.readUInt16LE(p + 32)
    const local = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8')
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
    const raw = buf.subarray(start, start + size)
    parts.set(name, (method === 8 ? inflateRawSync(raw) : raw).toString('utf8'))
    p += 46 + nameLen + extraLen + commentLen
  }
  return parts
}

const unescapeXML = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')

/** Each sheet of an xlsx workbook by name: rows of cell texts. */
function readXlsx(buf: Buffer): Map<string, string[][]> {
  const parts = unzip(buf)
  const strings = [...(parts.get('xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    unescapeXML([...m[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((t) => t[1]).join('')),
  )
  const rels = new Map([...(parts.get('xl/_rels/workbook.xml.rels') ?? '').matchAll(/<Relationship [^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"/g)].map((m) => [m[1], m[2]]))
  const sheets = new Map<string, string[][]>()
  for (const m of (parts.get('xl/workbook.xml') ?? '').matchAll(/<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"/g)) {
    const target = (rels.get(m[2]) ?? '').replace(/^\/?(xl\/)?/, '')
    const xml = parts.get(`xl/${target}`) ?? ''
    const rows = [...xml.matchAll(/<row[^>]*>([\s\S]*?)<\/row>/g)].map((r) =>
      [...r[1].matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)].map((c) => {
        const v = /<v>([\s\S]*?)<\/v>/.exec(c[2] ?? '')?.[1] ?? /<t[^>]*>([\s\S]*?)<\/t>/.exec(c[2] ?? '')?.[1] ?? ''
        return / t="s"/.test(c[1]) ? strings[Number(v)] : unescapeXML(v)
      }),
    )
    sheets.set(unescapeXML(m[1]), rows)
  }
  return sheets
}

// ---------------------------------------------------------------- the server of this file

interface Bureau {
  baseURL: string
  logPath: string
  child: ChildProcess
  dataDir: string
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

const serverEnv = (dataDir: string, port: number) => ({
  ...process.env,
  EXAMD_DATA_DIR: dataDir,
  EXAMD_SERVER_ADDR: `127.0.0.1:${port}`,
  EXAMD_SERVER_PUBLIC_URL: `http://127.0.0.1:${port}`,
  EXAMD_BOOTSTRAP_ADMIN_USERNAME: ADMIN,
  EXAMD_BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
  // the embedded default: bureau admins must use two-step verification
  EXAMD_SECURITY_MFA_REQUIRED_ROLES: 'bureau_admin',
})

async function startBureau(): Promise<Bureau> {
  const bin = process.env.EXAMD_E2E_BIN || SERVER_BIN
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'examd-bureau-'))
  const port = await freePort()
  const logDir = path.join(TMP_DIR, 'e2e')
  fs.mkdirSync(logDir, { recursive: true })
  const logPath = path.join(logDir, 'bureau.log')
  const started = Date.now()
  const demo = await new Promise<string>((resolve, reject) =>
    execFile(bin, ['demo'], { cwd: dataDir, env: serverEnv(dataDir, port), maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`examd demo: ${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    ),
  )
  fs.writeFileSync(logPath, demo)
  console.log(`[bureau] examd demo in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${demo.split('\n').filter((l) => /^(done|statistics|ledger| {2}20)/.test(l)).join('\n')}`)
  const fd = fs.openSync(logPath, 'a')
  const child = spawn(bin, ['serve'], { cwd: dataDir, env: serverEnv(dataDir, port), stdio: ['ignore', fd, fd] })
  fs.closeSync(fd)
  const baseURL = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 30_000; ; ) {
    if (child.exitCode !== null) throw new Error(`examd serve exited ${child.exitCode}; see ${logPath}`)
    try {
      if ((await fetch(`${baseURL}/healthz`)).status === 200) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`examd serve not healthy; see ${logPath}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return { baseURL, logPath, child, dataDir }
}

async function stopBureau(b: Bureau | undefined) {
  if (!b) return
  if (b.child.exitCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => b.child.kill('SIGKILL'), 10_000)
      b.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      b.child.kill('SIGTERM')
    })
  }
  fs.rmSync(b.dataDir, { recursive: true, force: true })
}

// ---------------------------------------------------------------- the journey

test.describe.configure({ mode: 'serial' })

let bureau: Bureau | undefined
let ctx: BrowserContext
let page: Page
let secret = ''
let lastCode = ''

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000)
  bureau = await startBureau()
  // One browser context for the whole journey: the admin logs in once
  // with the new authenticator and stays logged in, as a person would.
  ctx = await browser.newContext({
    baseURL: bureau.baseURL,
    viewport: { width: 1366, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    acceptDownloads: true,
  })
  page = await ctx.newPage()
})

test.afterAll(async () => {
  await ctx?.close()
  await stopBureau(bureau)
})

test('first login: the bureau admin enrols the authenticator; a wrong code is refused', async () => {
  await page.goto('/staff/login')
  await page.locator('#username').fill(ADMIN)
  await page.locator('#password').fill(PASSWORD)
  await page.getByTestId('login').click()
  await expect(page.getByText('设置两步验证')).toBeVisible()
  await expect(page.getByTestId('mfa-qr')).toBeVisible()
  secret = (await page.getByTestId('mfa-secret').textContent())?.trim() ?? ''
  expect(secret).toMatch(/^[A-Z2-7 ]{32,}$/)
  expect(await page.getByTestId('mfa-secret').getAttribute('data-uri')).toContain(`secret=${secret.replace(/\s/g, '')}`)

  // A wrong code: refused in Chinese, the enrolment still open (nothing changed).
  const wrong = totp(secret, Date.now() - 10 * 60_000)
  await page.locator('#mfa-code').fill(wrong === totp(secret) ? '000000' : wrong)
  await page.getByTestId('mfa-submit').click()
  await expect(page.locator('.el-form-item__error')).toHaveText('验证码错误或已过期')
  await expect(page.getByTestId('mfa-qr')).toBeVisible()
  await expect(page).toHaveURL(/\/staff\/login/)
  await shot(page, 'bureau-mfa-wrong-code')

  lastCode = totp(secret)
  await page.locator('#mfa-code').fill(lastCode)
  await page.getByTestId('mfa-submit').click()
  await expect(page.getByText('请保存恢复码，只显示这一次')).toBeVisible()
  await page.getByTestId('codes-saved').click()
  await expect(page).toHaveURL(/\/staff$/)

  await page.goto('/staff/account')
  await expect(page.getByTestId('mfa-status')).toHaveText('已开启')
})

test('statistics: the reform’s 2024 figures against 2023, in cards, charts and tables', async () => {
  await page.goto('/staff/statistics?from=2024-01-01&to=2024-12-31&compare=year')
  const card = (key: string) => page.getByTestId(`fig-${key}`)
  // the page's first load: its chunk (ECharts) and two years of figures, on a loaded CI machine
  await expect(card('registrations').getByTestId('value')).toHaveText('7,788', { timeout: 60_000 })
  await expect(card('bookings').getByTestId('value')).toHaveText('5,886')
  await expect(card('noShowRate').getByTestId('value')).toHaveText('14.97%')
  await expect(card('passRate').getByTestId('value')).toHaveText('72.27%')
  await expect(card('mailRate').getByTestId('value')).toHaveText('66.69%')
  await expect(card('certificates').getByTestId('value')).toHaveText('6,148')
  const practice = Number((await card('practice').getByTestId('value').textContent())?.replace(/,/g, ''))
  expect(practice).toBeGreaterThan(300_000)
  // the year before, as the old process had it
  await expect(card('noShowRate').getByTestId('delta')).toContainText('对比期 22.03%')
  await expect(card('passRate').getByTestId('delta')).toContainText('对比期 63.80%')
  await expect(page.getByTestId('stats-period')).toContainText('对比 2023-01-01 至 2023-12-31')

  // every figure says what it counts
  await card('noShowRate').getByTestId('def-noShowRate').hover()
  await expect(page.locator('.st__def')).toContainText('缺考率 = 缺考 ÷（参考 + 缺考）')

  // the charts draw (ECharts as SVG: their labels are text) and the tables under them hold the figures
  for (const id of ['chart-trend-registrations', 'chart-trend-exam', 'chart-trend-practice', 'chart-channels', 'chart-centres', 'chart-funnel', 'chart-subjects', 'chart-certificates', 'chart-sms']) {
    await expect(page.getByTestId(id).locator('svg').first(), id).toBeVisible()
  }
  await expect(page.getByTestId('chart-funnel').locator('svg').first()).toContainText('报名: 7,788')
  await expect(page.getByTestId('chart-funnel').locator('svg').first()).toContainText('预约: 5,886')
  await expect(page.getByTestId('chart-channels').locator('svg').first()).toContainText('漳州通')
  const funnel = page.getByTestId('table-funnel')
  await expect(funnel.locator('tr', { hasText: '报名' }).first()).toContainText('7,788')
  await expect(funnel.locator('tr', { hasText: '预约' })).toContainText('5,886')
  const certs = page.getByTestId('table-certificates')
  await expect(certs.locator('tbody tr')).toHaveCount(2)
  await shot(page, 'bureau-statistics-desktop')

  // A reversed range and one too long are refused with their reason, nothing asked.
  await page.goto('/staff/statistics?from=2024-12-31&to=2024-01-01')
  await expect(page.getByTestId('stats-error')).toHaveText('结束日期不能早于开始日期')
  await page.goto('/staff/statistics?from=2010-01-01&to=2024-12-31')
  await expect(page.getByTestId('stats-error')).toContainText('时间范围过长：所选 5479 天，查询最多 732 天')
  await page.goto('/staff/statistics?from=2024-01-01T00:00:00Z&to=2024-02-01')
  await expect(page.getByTestId('stats-error')).toContainText('Asia/Shanghai')
})

test('statistics at phone width: the figures read without sideways scrolling', async () => {
  const phone = await ctx.newPage()
  await phone.setViewportSize({ width: 360, height: 740 })
  await phone.goto('/staff/statistics?from=2024-01-01&to=2024-12-31&compare=year')
  await expect(phone.getByTestId('fig-noShowRate').getByTestId('value')).toHaveText('14.97%')
  await expectNoHorizontalScroll(phone)
  // two cards a row
  const a = await phone.getByTestId('fig-registrations').boundingBox()
  const b = await phone.getByTestId('fig-scans').boundingBox()
  expect(a && b && Math.abs(a.y - b.y) < 2 && b.x > a.x + a.width - 1).toBeTruthy()
  await shot(phone, 'bureau-statistics-phone')
  await phone.close()
})

test('statistics export: the xlsx downloads after the progress and holds the figures', async () => {
  await page.goto('/staff/statistics?from=2024-01-01&to=2024-12-31&compare=year')
  await expect(page.getByTestId('fig-registrations').getByTestId('value')).toHaveText('7,788')
  const download = page.waitForEvent('download')
  await page.getByTestId('stats-export-all').click()
  const file = await download
  expect(file.suggestedFilename()).toBe('statistics-2024-01-01-2024-12-31.xlsx')
  const saved = path.join(TMP_DIR, 'e2e', file.suggestedFilename())
  await file.saveAs(saved)
  const sheets = readXlsx(fs.readFileSync(saved))
  const [summary] = sheets.values()
  const row = (label: string) => summary.find((r) => r[0] === label)
  expect(summary[0]).toEqual(['指标', '2024-01-01 ~ 2024-12-31', '2023-01-01 ~ 2023-12-31'])
  expect(row('报名人数')).toEqual(['报名人数', '7788', '6217'])
  expect(row('预约人次')?.[1]).toBe('5886')
  expect(row('缺考率(%)')).toEqual(['缺考率(%)', '14.97', '22.03'])
  expect(row('考试通过率(%)')).toEqual(['考试通过率(%)', '72.27', '63.8'])
  expect(row('邮寄率(%)')?.[1]).toBe('66.69')
  expect(row('发证数')?.[1]).toBe('6148')
  expect(sheets.size).toBeGreaterThan(3)
})

test('archive: a certified candidate’s dossier opens and its PDF downloads', async () => {
  const res = await page.request.get('/api/v1/admin/certificates?page_size=1', { headers: { 'X-Requested-With': 'examd' } })
  expect(res.status(), await res.text()).toBe(200)
  const candidate = ((await res.json()) as { items: { candidate_id: number }[] }).items[0].candidate_id

  await page.goto('/staff/archive')
  await page.getByTestId('archive-open-id').fill(String(candidate))
  await page.getByTestId('archive-open').click()
  await expect(page).toHaveURL(new RegExp(`/staff/archive/candidates/${candidate}$`))
  await expect(page.getByTestId('dossier-title')).toContainText(`${candidate}`)
  await expect(page.getByTestId('dossier-person')).toBeVisible()
  await expect(page.getByTestId('dossier-bookings').locator('tbody tr').first()).toBeVisible()
  await shot(page, 'bureau-dossier')

  const href = await page.getByTestId('dossier-pdf').getAttribute('href')
  expect(href).toBeTruthy()
  const pdf = await page.request.get(href!)
  expect(pdf.status()).toBe(200)
  expect(pdf.headers()['content-type']).toContain('application/pdf')
  const body = await pdf.body()
  expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  expect(body.length).toBeGreaterThan(5_000)
})

test('ledger: the chain of results and certificates verifies', async () => {
  await page.goto('/staff/admin/ledger')
  await page.getByTestId('ledger-verify').click()
  await expect(page.getByTestId('ledger-ok')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('ledger-ok')).toContainText(/账本完整：\d+ 条记录/)
  await expect(page.getByTestId('ledger-broken')).toHaveCount(0)
  // The checkpoint upload is a button of the page's language, not the browser's "Choose File".
  await expect(page.getByTestId('ledger-choose')).toHaveText('选择检查点文件')
  await shot(page, 'bureau-ledger')
})

test('log out and in again with a TOTP code; a replayed code is refused', async () => {
  await page.goto('/staff')
  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/staff\/login/)
  await page.locator('#username').fill(ADMIN)
  await page.locator('#password').fill(PASSWORD)
  await page.getByTestId('login').click()
  await expect(page.locator('#mfa-code')).toBeVisible()
  await expect(page.getByTestId('mfa-qr')).toHaveCount(0)

  // The enrolment's code again: still inside the clock-skew window or not, it does not log in.
  await page.locator('#mfa-code').fill(lastCode)
  await page.getByTestId('mfa-submit').click()
  await expect(page.locator('.el-form-item__error')).toHaveText(/该验证码已使用过|验证码错误或已过期/)
  await expect(page).toHaveURL(/\/staff\/login/)

  // The next step's code (the server allows one step of clock skew) logs in.
  await page.locator('#mfa-code').fill(totp(secret, Date.now() + 30_000))
  await page.getByTestId('mfa-submit').click()
  await expect(page).toHaveURL(/\/staff$/)
  await expect(page.getByTestId('username')).toHaveText(ADMIN)
})
