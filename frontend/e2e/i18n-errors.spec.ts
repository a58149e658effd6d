// Issue 14 §1: a zh-CN user never reads an English sentence, an English
// user never a Chinese one. Field errors (the candidate's application form)
// and a bad question import (the bank console) are shown from their codes
// in the page's language; the import's error report downloads in it too.
import type { Page } from '@playwright/test'
import { ADMIN_PASSWORD, ADMIN_USERNAME, expect, logOffset, maskPhone, readSmsCode, test } from './support'

const XRW = { 'X-Requested-With': 'examd' }
const RUN = Date.now().toString(36).slice(-6)

// Three or more English words in a row: a sentence, not a code or a unit.
const ENGLISH_SENTENCE = /[A-Za-z]{2,}[\s,:;]+[A-Za-z]{2,}[\s,:;]+[A-Za-z]{2,}/
const CJK = /[\u4e00-\u9fff]/
// Values the user typed or the accepted cell words are quoted or bracketed;
// they are data, not our sentences.
const withoutQuoted = (s: string) => s.replace(/"[^"]*"|“[^”]*”|\([^)]*\)|（[^）]*）/g, '')

function expectLanguage(texts: string[], lang: 'zh-CN' | 'en') {
  expect(texts.length).toBeGreaterThan(0)
  for (const raw of texts) {
    const s = withoutQuoted(raw)
    expect(s.trim(), `empty message in ${JSON.stringify(texts)}`).not.toBe('')
    if (lang === 'zh-CN') expect(s, `English in the zh-CN page: ${raw}`).not.toMatch(ENGLISH_SENTENCE)
    else expect(s, `Chinese in the English page: ${raw}`).not.toMatch(CJK)
  }
}

async function useLocale(page: Page, lang: 'zh-CN' | 'en') {
  await page.addInitScript((l) => localStorage.setItem('examd.locale', l), lang)
}

for (const [lang, phone] of [
  ['zh-CN', '13977714141'],
  ['en', '13977714142'],
] as const) {
  test(`candidate form field errors are all in ${lang}`, async ({ page, server }) => {
    await useLocale(page, lang)
    const after = logOffset(server.logPath)
    expect((await page.request.post('/api/v1/auth/sms-code', { headers: XRW, data: { phone } })).status()).toBe(202)
    const code = await readSmsCode(server.logPath, maskPhone(phone), { after })
    expect((await page.request.post('/api/v1/auth/candidate/login', { headers: XRW, data: { phone, code } })).ok()).toBeTruthy()

    await page.goto('/m/application')
    await expect(page.locator('#reg-name')).toBeVisible()
    // Every kind of bad input the browser tests use, at once.
    await page.locator('#reg-name').fill('张')
    await page.locator('#reg-id-number').fill('350502199001011231') // wrong check character
    await page.locator('#reg-address').fill('漳州')
    await page.locator('#reg-licence-class').selectOption('C1')
    await page.locator('#reg-licence-date').fill('2025-03-01') // held under 3 years
    await page.getByTestId('delivery-post').click()
    await page.locator('#reg-receiver-name').fill('张')
    await page.locator('#reg-receiver-phone').fill('12345')
    await page.getByTestId('submit-application').click()
    const errors = page.locator('.van-field__error-message')
    await expect(errors.first()).toBeVisible()
    await expect.poll(async () => (await errors.allInnerTexts()).length).toBeGreaterThan(4)
    const texts = await errors.allInnerTexts()
    expectLanguage(texts, lang)
    if (lang === 'zh-CN') expect(texts).toContain('校验位不正确，请核对身份证号')
    else expect(texts).toContain('the check character does not match; check the number')
    // Nothing else on the page is an English sentence (toasts included).
    const body = await page.locator('body').innerText()
    if (lang === 'zh-CN') expect(withoutQuoted(body)).not.toMatch(ENGLISH_SENTENCE)
  })
}

test.describe('bank console', () => {
  test.use({ viewport: { width: 1280, height: 860 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 })

  for (const lang of ['zh-CN', 'en'] as const) {
    test(`a bad question import is reported in ${lang}, on screen and in the error report`, async ({ page }) => {
      await useLocale(page, lang)
      await page.goto('/staff/login')
      await page.locator('#username').fill(ADMIN_USERNAME)
      await page.locator('#password').fill(ADMIN_PASSWORD)
      await page.getByTestId('login').click()
      await expect(page).toHaveURL(/\/staff$/)
      await page.goto('/staff/bank/import')
      const href = await page.getByTestId('template-csv').getAttribute('href')
      const header = (await (await page.request.get(href!)).text()).replace(/^\uFEFF/, '').split(/\r?\n/)[0]
      const stem = `乘客晕厥时驾驶员应当怎么做？（${RUN}${lang}）`
      const rows = [
        `national,n06-emergency,single,${stem},靠边停车,继续行驶,,,A,先保证安全。,2,急救,both`,
        `national,n06-emergency,single,${stem},靠边停车,继续行驶,,,A,重复的题干。,2,急救,both`, // duplicate stem
        `科目甲,n06-emergency,single,题干一${RUN},甲,乙,,,A,,2,,both`, // unknown subject
        `national,没有的章节,single,题干二${RUN},甲,乙,,,A,,2,,both`, // unknown chapter
        `national,n06-emergency,题型甲,题干三${RUN},甲,乙,,,A,,2,,both`, // unknown type
        `national,n06-emergency,single,题干四${RUN},甲,乙,,,,,2,,both`, // missing answer
        `national,n06-emergency,single,题干五${RUN},甲,,丙,,A,,2,,both`, // gap in the options
        `national,n06-emergency,multiple,题干六${RUN},甲,乙,丙,,AB,,9,,both`, // difficulty 9
        `national,n06-emergency,single,题干七${RUN},甲,甲,,,A,,2,,both`, // options repeat
      ]
      await page.getByTestId('import-file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from([header, ...rows].join('\n') + '\n', 'utf8') })
      await expect(page.getByTestId('import-has-errors')).toBeVisible()
      const cells = page.getByTestId('import-errors').locator('tbody tr td:nth-child(3)')
      await expect.poll(async () => (await cells.allInnerTexts()).length).toBeGreaterThan(6)
      expectLanguage(await cells.allInnerTexts(), lang)
      const panel = await page.locator('.panel').first().innerText()
      if (lang === 'zh-CN') expect(withoutQuoted(panel)).not.toMatch(ENGLISH_SENTENCE)
      else expect(withoutQuoted(panel)).not.toMatch(CJK)

      // The error report is in the language of the page that asked for it.
      const report = await page.getByTestId('import-error-report').getAttribute('href')
      expect(report).toContain(`lang=${lang}`)
      const res = await page.request.get(report!)
      expect(res.status()).toBe(200)
      expect(res.headers()['content-type']).toContain('spreadsheetml')
    })
  }
})
