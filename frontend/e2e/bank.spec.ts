// Question bank, the editor's flow from the issue: download the import
// template, upload it with a deliberately broken row, see the row error,
// fix it, import, get it reviewed and published by the bureau admin, and
// find the question in a candidate's practice.
import type { APIRequestContext, Page } from '@playwright/test'
import { ADMIN_PASSWORD, ADMIN_USERNAME, expect, expectNoHorizontalScroll, logOffset, maskPhone, readSmsCode, settleFirstLogin, shot, test } from './support'

const RUN = Date.now().toString(36).slice(-6)
const EDITOR = { username: `editor-${RUN}`, password: 'Editor-pass-2026', name: '王编辑' }
const XRW = { 'X-Requested-With': 'examd' }

async function staffLogin(page: Page, username: string, password: string) {
  await page.goto('/staff/login')
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/staff$/)
}

async function uploadCSV(page: Page, testId: string, name: string, text: string) {
  await page.getByTestId(testId).setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') })
}

async function candidateRequest(request: APIRequestContext, logPath: string): Promise<void> {
  const phone = `139${String(Date.now()).slice(-8)}`
  const after = logOffset(logPath)
  const r = await request.post('/api/v1/auth/sms-code', { headers: XRW, data: { phone } })
  expect(r.status()).toBe(202)
  const code = await readSmsCode(logPath, maskPhone(phone), { after })
  const l = await request.post('/api/v1/auth/candidate/login', { headers: XRW, data: { phone, code } })
  expect(l.ok()).toBeTruthy()
}

test.describe('desktop console', () => {
  test.use({ viewport: { width: 1280, height: 860 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 })

  test('editor imports the template with a broken row, fixes it, admin publishes, candidate practises it', async ({ page, browser, server, playwright }) => {
    // the bureau admin creates a question editor
    await staffLogin(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    const created = await page.request.post('/api/v1/admin/staff', {
      headers: XRW,
      data: { username: EDITOR.username, display_name: EDITOR.name, role: 'question_editor', centre_id: 0, office_id: 0, password: EDITOR.password },
    })
    expect(created.status()).toBe(201)
    await settleFirstLogin(server, EDITOR.username, EDITOR.password)

    // the editor, in a browser of their own
    const ctx = await browser.newContext({ baseURL: server.baseURL, viewport: { width: 1280, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const ed = await ctx.newPage()
    await staffLogin(ed, EDITOR.username, EDITOR.password)
    await ed.getByTestId('nav-bank-list').click()
    await expect(ed.getByTestId('bank-table')).toContainText('驾驶员')
    await shot(ed, 'bank-list')

    // download the CSV template, as the wizard's link does
    await ed.getByTestId('bank-import').click()
    await expect(ed).toHaveURL(/\/staff\/bank\/import$/)
    // one menu entry highlighted (the import's, not also the bank list's); the favicon is served
    await expect(ed.getByTestId('staff-nav').locator('.is-active')).toHaveCount(1)
    await expect(ed.getByTestId('nav-bank-import')).toHaveClass(/is-active/)
    const icon = await ed.request.get('/favicon.svg')
    expect(icon.status()).toBe(200)
    expect(icon.headers()['content-type']).toContain('image/svg')
    const href = await ed.getByTestId('template-csv').getAttribute('href')
    const tpl = await ed.request.get(href!)
    expect(tpl.ok()).toBeTruthy()
    expect(tpl.headers()['content-disposition']).toContain('question-bank-template.csv')
    const template = (await tpl.text()).replace(/^\uFEFF/, '').replaceAll('（示例）', `（示例${RUN}）`)
    const lines = template.trimEnd().split(/\r?\n/)
    expect(lines.length).toBe(4) // header + one row per type
    const stem = `乘客在车内突然晕厥时，驾驶员首先应当怎么做？（${RUN}）`
    const good = `national,n06-emergency,single,${stem},安全靠边停车并拨打120,继续行驶,让乘客下车,,A,先保证安全再施救。,2,急救,both`
    const broken = good.replace(',A,先保证', ',,先保证') // the answer is missing

    // a file with a broken row: every problem listed, nothing imported
    await uploadCSV(ed, 'import-file', 'bank.csv', [...lines, broken].join('\n') + '\n')
    await expect(ed.getByTestId('import-has-errors')).toBeVisible()
    const errors = ed.getByTestId('import-errors')
    await expect(errors).toContainText('5') // row 5
    await expect(errors).toContainText('I') // the answer column
    await expect(errors).toContainText('未填写') // in the console's language, from the reason code
    await expect(ed.getByTestId('import-confirm')).toHaveCount(0)
    await shot(ed, 'bank-import-errors')

    // the fixed file imports
    await uploadCSV(ed, 'import-file-again', 'bank-fixed.csv', [...lines, good].join('\n') + '\n')
    await expect(ed.getByTestId('import-preview')).toContainText(stem)
    await shot(ed, 'bank-import-clean')
    await ed.getByTestId('import-confirm').click()
    await expect(ed.getByText('已导入 4 道题')).toBeVisible()
    await ed.getByTestId('import-to-review').click()
    await expect(ed.getByText(stem)).toBeVisible()
    // an editor may not publish
    await expect(ed.getByTestId('review-approve')).toHaveCount(0)

    // the bureau admin reviews and publishes it
    await page.goto('/staff/bank/review')
    const item = page.locator('[data-testid^="review-item-"]', { hasText: stem })
    await expect(item).toBeVisible()
    await shot(page, 'bank-review-queue')
    await item.getByTestId('review-approve').click()
    await expect(page.locator('[data-testid^="review-item-"]', { hasText: stem })).toHaveCount(0)

    // the editor finds it published in the list
    await ed.goto('/staff/bank')
    await ed.getByTestId('f-text').fill(RUN)
    await ed.getByTestId('f-search').click()
    const row = ed.getByTestId('bank-table').locator('.el-table__row', { hasText: stem })
    await expect(row).toContainText('已发布')

    // and a candidate meets it in practice (study mode of its chapter)
    const cand = await playwright.request.newContext({ baseURL: server.baseURL })
    await candidateRequest(cand, server.logPath)
    const chapters = (await (await ed.request.get('/api/v1/bank/chapters')).json()).items as { id: number; code: string }[]
    const emergency = chapters.find((c) => c.code === 'n06-emergency')!
    const study = await cand.get(`/api/v1/practice/chapters/${emergency.id}/study?page_size=100`)
    expect(study.ok()).toBeTruthy()
    const stems = ((await study.json()).items as { stem: string }[]).map((q) => q.stem)
    expect(stems).toContain(stem)
    await cand.dispose()
    await ctx.close()
  })

  test('editor writes a question with the live preview; malformed input is refused', async ({ page }) => {
    await staffLogin(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await page.goto('/staff/bank/questions/new')
    await page.getByTestId('ed-stem').fill(`出租汽车驾驶员应当携带哪些证件？（${RUN}）`)
    await page.getByTestId('ed-opt-A').fill('从业资格证')
    await page.getByTestId('ed-opt-B').fill('从业资格证')
    await expect(page.getByTestId('question-preview')).toContainText('从业资格证')
    // duplicate options and no answer: the server names the fields, nothing is saved
    await page.getByTestId('ed-save').click()
    await expect(page.getByTestId('editor-error')).toBeVisible()
    await expect(page).toHaveURL(/\/questions\/new$/)
    await page.getByTestId('ed-opt-B').fill('机动车驾驶证')
    await page.getByTestId('ed-opt-C').fill('结婚证')
    await page.getByTestId('ed-answer').getByText('A', { exact: true }).click()
    await page.getByTestId('ed-explanation').fill('营运时应随车携带从业资格证和驾驶证。')
    await page.getByTestId('ed-save').click()
    await expect(page).toHaveURL(/\/questions\/\d+$/)
    await expect(page.getByTestId('editor-status')).toHaveText('草稿')
    await page.getByTestId('ed-submit').click()
    await expect(page.getByTestId('editor-status')).toHaveText('待审核')
    await shot(page, 'bank-editor')
  })
})

test('bank list at phone width', async ({ page }) => {
  await staffLogin(page, ADMIN_USERNAME, ADMIN_PASSWORD)
  await page.goto('/staff/bank')
  await expect(page.getByTestId('bank-table')).toContainText('驾驶员')
  await expectNoHorizontalScroll(page)
  await shot(page, 'bank-list-phone')
})
