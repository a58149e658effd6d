// (c) The language switch: zh-CN by default, English on request, remembered.
import { expect, expectNoHorizontalScroll, shot, test } from './support'

test('landing page leads to both surfaces', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByTestId('entry-candidate')).toContainText('考生')
  await expect(page.getByTestId('entry-staff')).toContainText('工作人员')
  await expectNoHorizontalScroll(page)
  await shot(page, 'landing')
  await page.getByTestId('entry-candidate').click()
  await expect(page).toHaveURL(/\/m\/login$/)
  await page.goto('/')
  await page.getByTestId('entry-staff').click()
  await expect(page).toHaveURL(/\/staff\/login$/)
})

test('switching to English changes the login page and is remembered', async ({ page }) => {
  await page.goto('/m/login')
  await expect(page.getByTestId('send-code')).toHaveText('获取验证码')
  await expect(page.locator('.van-nav-bar__title')).toHaveText('考生登录')
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN')

  await page.getByTestId('lang-switch').click()
  await expect(page.getByTestId('send-code')).toHaveText('Get code')
  await expect(page.locator('.van-nav-bar__title')).toHaveText('Candidate login')
  await expect(page.getByTestId('login')).toHaveText('Log in')
  await expect(page.locator('html')).toHaveAttribute('lang', 'en')
  await expect(page).toHaveTitle(/Candidate login/)
  await expectNoHorizontalScroll(page)
  await shot(page, 'candidate-login-en')

  // Remembered across reloads and surfaces.
  await page.reload()
  await expect(page.getByTestId('send-code')).toHaveText('Get code')
  await page.goto('/staff/login')
  await expect(page.getByRole('heading', { name: 'Staff login' })).toBeVisible()
  await shot(page, 'staff-login-en')

  // And back.
  await page.getByTestId('lang-switch').click()
  await expect(page.getByRole('heading', { name: '工作人员登录' })).toBeVisible()
})
