// (b) Staff log in with username and password (the bootstrap admin).
import { ADMIN_PASSWORD, ADMIN_USERNAME, expect, expectNoHorizontalScroll, shot, test } from './support'

test('staff: wrong password shows an error', async ({ page }) => {
  await page.goto('/staff/login')
  await page.locator('#username').fill(ADMIN_USERNAME)
  await page.locator('#password').fill('not-the-password')
  await page.getByTestId('login').click()
  await expect(page.getByTestId('login-error')).toContainText('用户名或密码错误')
  await expect(page).toHaveURL(/\/staff\/login$/)
  await expectNoHorizontalScroll(page)
  await shot(page, 'staff-login-wrong-password')
})

test('staff: empty fields are caught before sending', async ({ page }) => {
  await page.goto('/staff/login')
  await page.getByTestId('login').click()
  await expect(page.getByText('请输入用户名')).toBeVisible()
  await expect(page.getByText('请输入密码', { exact: true })).toBeVisible()
})

test('staff: admin logs in, sees the account, logs out', async ({ page }) => {
  await page.goto('/staff')
  await expect(page).toHaveURL(/\/staff\/login$/)
  await shot(page, 'staff-login')

  await page.locator('#username').fill(ADMIN_USERNAME)
  await page.locator('#password').fill(ADMIN_PASSWORD)
  await page.getByTestId('login').click()

  await expect(page).toHaveURL(/\/staff$/)
  await expect(page.getByTestId('username')).toHaveText(ADMIN_USERNAME)
  await expect(page.getByTestId('role')).toHaveText('局管理员')
  await expectNoHorizontalScroll(page)
  await shot(page, 'staff-home')

  // The role name follows the language.
  await page.getByTestId('lang-switch').click()
  await expect(page.getByTestId('role')).toHaveText('Bureau administrator')
  await shot(page, 'staff-home-en')
  await page.getByTestId('lang-switch').click()
  await expect(page.getByTestId('role')).toHaveText('局管理员')

  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/staff\/login$/)
  await page.goto('/staff')
  await expect(page).toHaveURL(/\/staff\/login$/)
})
