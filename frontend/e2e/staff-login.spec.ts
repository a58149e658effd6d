// (b) Staff log in with username and password (the bootstrap admin).
import { ADMIN_PASSWORD, ADMIN_USERNAME, createCentre, createStaff, expect, expectNoHorizontalScroll, shot, test } from './support'

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

test('staff: a proctor sees the exam centre they are bound to', async ({ page, server }) => {
  const centre = await createCentre(server, '芗城考点')
  await createStaff(server, {
    username: 'proctor-e2e',
    password: 'Proctor-pass-2026',
    display_name: '王监考',
    role: 'proctor',
    centre_id: centre,
  })
  await page.goto('/staff/login')
  await page.locator('#username').fill('proctor-e2e')
  await page.locator('#password').fill('Proctor-pass-2026')
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/staff$/)
  await expect(page.getByTestId('role')).toHaveText('监考员')
  await expect(page.getByTestId('centre-id')).toHaveText(String(centre))
  await expect(page.getByTestId('office-id')).toHaveCount(0)
  await shot(page, 'staff-home-proctor')
})

test('staff: a locked account says until when', async ({ page, server }) => {
  await createStaff(server, { username: 'locked-e2e', password: 'Locked-pass-2026', role: 'question_editor' })
  await page.goto('/staff/login')
  await page.locator('#username').fill('locked-e2e')
  const error = page.getByTestId('login-error')
  // The server locks an account after repeated wrong passwords.
  for (let i = 0; i < 10; i++) {
    await page.locator('#password').fill(`wrong-password-${i}`)
    const answer = page.waitForResponse('**/api/v1/auth/staff/login')
    await page.getByTestId('login').click()
    const status = (await answer).status()
    await expect(error).toBeVisible()
    if (status === 423) break
    expect(status).toBe(401)
  }
  await expect(error).toContainText(/账号已锁定.*\d{2}:\d{2}/)
  // Even the right password is refused while locked.
  await page.locator('#password').fill('Locked-pass-2026')
  const answer = page.waitForResponse('**/api/v1/auth/staff/login')
  await page.getByTestId('login').click()
  expect((await answer).status()).toBe(423)
  await expect(page.getByTestId('login')).not.toHaveClass(/is-loading/)
  await expect(error).toContainText('账号已锁定')
  await expect(page).toHaveURL(/\/staff\/login$/)
  await shot(page, 'staff-login-locked')
})
