// (a) A candidate logs in on a phone with an SMS code read from the server log.
import { expect, expectNoHorizontalScroll, logOffset, maskPhone, readSmsCode, shot, test } from './support'

test('candidate: bad phone, SMS code login, home, logout', async ({ page, server }) => {
  await page.goto('/m/login')
  const sendCode = page.getByTestId('send-code')
  await expect(sendCode).toHaveText('获取验证码')
  await expectNoHorizontalScroll(page)
  await shot(page, 'candidate-login')

  // A bad number is caught before anything is sent.
  await page.locator('#phone').fill('12345678901')
  await sendCode.click()
  await expect(page.locator('.van-field__error-message')).toHaveText('请输入正确的 11 位手机号')
  await shot(page, 'candidate-login-bad-phone')

  const phone = '13800138000'
  await page.locator('#phone').fill(phone)
  await expect(page.locator('.van-field__error-message')).toHaveCount(0)
  const after = logOffset(server.logPath)
  await sendCode.click()
  // The button counts down from the server's resend_after_seconds.
  await expect(sendCode).toHaveText(/\d+ 秒后重发/)
  await expect(sendCode).toBeDisabled()
  const code = await readSmsCode(server.logPath, maskPhone(phone), { after })
  await page.locator('#code').fill(code)
  await shot(page, 'candidate-login-filled')
  await page.getByTestId('login').click()

  await expect(page).toHaveURL(/\/m$/)
  await expect(page.getByTestId('phone-masked')).toContainText(maskPhone(phone))
  // The candidate sees where they are logged in (this device, no "log out" on it).
  await expect(page.getByTestId('my-sessions')).toContainText('本机')
  await expect(page.getByTestId('my-sessions').getByTestId('end-session')).toHaveCount(0)
  await expectNoHorizontalScroll(page)
  await shot(page, 'candidate-home')

  // The session survives a reload (HttpOnly cookie).
  await page.reload()
  await expect(page.getByTestId('phone-masked')).toContainText(maskPhone(phone))

  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/m\/login$/)
  await expect(page.getByTestId('send-code')).toBeVisible()

  // Logged out: the home page sends the user back to login.
  await page.goto('/m')
  await expect(page).toHaveURL(/\/m\/login/)
})

test('candidate: a wrong code shows an error', async ({ page, server }) => {
  const phone = '13900139001'
  await page.goto('/m/login')
  await page.locator('#phone').fill(phone)
  const after = logOffset(server.logPath)
  await page.getByTestId('send-code').click()
  const code = await readSmsCode(server.logPath, maskPhone(phone), { after })
  const wrong = code === '000000' ? '111111' : '000000'
  await page.locator('#code').fill(wrong)
  await page.getByTestId('login').click()

  await expect(page.locator('.van-toast')).toContainText('验证码错误或已过期')
  await expect(page).toHaveURL(/\/m\/login$/)
  await shot(page, 'candidate-login-wrong-code')
})

test('candidate: home needs a login', async ({ page }) => {
  await page.goto('/m')
  await expect(page).toHaveURL(/\/m\/login$/)
})

test('candidate: logging out after the session ended still lands on login', async ({ page, context, server }) => {
  const phone = '13700137002'
  await page.goto('/m/login')
  await page.locator('#phone').fill(phone)
  const after = logOffset(server.logPath)
  await page.getByTestId('send-code').click()
  await page.locator('#code').fill(await readSmsCode(server.logPath, maskPhone(phone), { after }))
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/m$/)

  // The session cookie disappears (expired, or revoked elsewhere).
  await context.clearCookies()
  await page.getByTestId('logout').click()
  await expect(page).toHaveURL(/\/m\/login$/)
  await expect(page.getByTestId('send-code')).toBeVisible()
})
