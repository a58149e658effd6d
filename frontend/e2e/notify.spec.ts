// The bureau admin's notification queue console: a candidate's login code
// goes through the queue (outbox -> Redis stream -> worker -> log provider);
// the admin sees the queue depth, finds the message by the phone number
// (masked, the code hidden) and the templates the product sends.
import type { APIRequestContext, Page } from '@playwright/test'
import { ADMIN_PASSWORD, ADMIN_USERNAME, expect, expectNoHorizontalScroll, logOffset, maskPhone, readSmsCode, shot, test } from './support'

// A number of its own per run, so the spec passes against a used server too.
const PHONE = `1390${Date.now().toString().slice(-7)}`

async function staffLogin(page: Page) {
  await page.goto('/staff/login')
  await page.locator('#username').fill(ADMIN_USERNAME)
  await page.locator('#password').fill(ADMIN_PASSWORD)
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/staff$/)
}

async function requestCode(request: APIRequestContext, phone: string) {
  const res = await request.post('/api/v1/auth/sms-code', { data: { phone }, headers: { 'X-Requested-With': 'examd' } })
  expect(res.status()).toBe(202)
}

test('admin: the login code went through the queue; found by phone, masked, code hidden', async ({ page, server }) => {
  const from = logOffset(server.logPath)
  await requestCode(page.request, PHONE)
  // The log provider is the end of the queue: the worker wrote this line.
  const code = await readSmsCode(server.logPath, maskPhone(PHONE), { after: from })

  await staffLogin(page)
  await page.getByTestId('nav-admin-notify').click()
  await expect(page).toHaveURL(/\/staff\/admin\/notify$/)
  await expect(page.getByTestId('stats-sms')).toBeVisible()
  await expect(page.getByTestId('stats-postal')).toBeVisible()
  await expect(page.getByTestId('stat-sms-sent')).not.toHaveText('0')

  await page.getByTestId('filter-phone').fill(PHONE)
  await page.getByTestId('filter-search').click()
  const table = page.getByTestId('notify-table')
  await expect(table.locator('[data-testid^="msg-"]')).toHaveCount(1)
  const row = table.locator('[data-testid^="msg-"]').first()
  await expect(row).toContainText('登录验证码')
  await expect(row).toContainText(maskPhone(PHONE))
  await expect(row).toContainText('******')
  await expect(row).toContainText('已发送')
  await expect(page.locator('body')).not.toContainText(code)
  await expect(page.locator('body')).not.toContainText(PHONE)
  await expectNoHorizontalScroll(page)
  await shot(page, 'notify-queue-phone')

  // The templates, one reviewable list.
  await page.getByText('消息模板').click()
  await expect(page.getByTestId('tpl-exam_reminder')).toContainText('${address}')
  await expect(page.getByTestId('tpl-certificate_mailed')).toBeVisible()

  // A bad filter gets the server's message, not a broken page.
  await page.getByTestId('filter-phone').fill('123')
  await page.getByTestId('filter-search').click()
  await expect(page.getByTestId('notify-error')).toBeVisible()
  await expectNoHorizontalScroll(page)
})

test.describe('desktop', () => {
  test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 })

  test('admin: queue console in English', async ({ page }) => {
    await requestCode(page.request, `1391${Date.now().toString().slice(-7)}`)
    await staffLogin(page)
    await page.goto('/staff/admin/notify')
    await expect(page.getByTestId('notify-table').locator('.el-table__row').first()).toBeVisible()
    await shot(page, 'notify-queue-desktop')
    await page.getByTestId('lang-switch').click()
    await expect(page.getByText('SMS and postal queue')).toBeVisible()
    await page.getByTestId('filter-dead').click()
    await expect(page.getByTestId('notify-table')).toContainText('No messages')
    await shot(page, 'notify-queue-desktop-en')
  })

  test('other staff roles cannot open the queue console', async ({ page, request }) => {
    const res = await request.get('/api/v1/admin/notify/stats')
    expect(res.status()).toBe(401)
    await page.goto('/staff/admin/notify')
    await expect(page).toHaveURL(/\/staff\/login/)
  })
})
