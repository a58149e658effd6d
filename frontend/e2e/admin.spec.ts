// The bureau admin's console: staff accounts (create with server field errors,
// sessions, disable, version conflict, last admin) and the audit log.
import type { Browser, BrowserContext, Page } from '@playwright/test'
import { staffAPI } from './journey'
import { ADMIN_PASSWORD, ADMIN_USERNAME, createCentre, expect, expectNoHorizontalScroll, shot, test, type ServerState } from './support'

// Unique per run, so the spec also passes against a server it has used before.
const RUN = Date.now().toString(36).slice(-6)
const PROCTOR = { username: `proctor-${RUN}`, password: 'Proctor-pass-2026', name: '李监考' }
// The proctor's own password, chosen at the first login (the admin set the one above).
const OWN_PASSWORD = 'Own-proctor-pass-2026'

async function staffLogin(page: Page, username: string, password: string) {
  await page.goto('/staff/login')
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.getByTestId('login').click()
}

function staffRow(page: Page, username: string) {
  return page.getByTestId('staff-table').locator('.el-table__row', { has: page.getByTestId(`staff-row-${username}`) })
}

/** A second browser (its own cookies), as the proctor would use. */
async function otherBrowser(browser: Browser, server: ServerState): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({
    baseURL: server.baseURL,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  return { ctx, page: await ctx.newPage() }
}

test.describe('desktop', () => {
  test.use({ viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 })

  test('admin: create a proctor, revoke and disable, conflicts, audit log', async ({ page, browser, server }) => {
    test.setTimeout(120_000) // many steps in two browsers on a shared machine
    await staffLogin(page, ADMIN_USERNAME, ADMIN_PASSWORD)
    await expect(page).toHaveURL(/\/staff$/)

    // The menu offers the admin pages to a bureau admin.
    await page.getByTestId('nav-admin-staff').click()
    await expect(page).toHaveURL(/\/staff\/admin\/staff$/)
    await expect(page).toHaveTitle(/账号管理/)
    const adminRow = staffRow(page, ADMIN_USERNAME)
    await expect(adminRow).toContainText('局管理员')
    await expect(adminRow.getByTestId('staff-status')).toContainText('正常')

    // A centre that does not exist cannot be picked; the server refuses one by id,
    // under the field, and writes nothing.
    const bad = await (await staffAPI(server, ADMIN_USERNAME, ADMIN_PASSWORD)).post('/api/v1/admin/staff', {
      data: { username: PROCTOR.username, display_name: PROCTOR.name, role: 'proctor', centre_id: 987654, password: PROCTOR.password },
    })
    expect(bad.status()).toBe(422)
    expect(JSON.stringify((await bad.json()).error.fields)).toContain('centre_id')
    const centre = await createCentre(server, `考点-${RUN}`)

    // Create a proctor without an exam centre: the server's field error shows under the field.
    await page.getByTestId('staff-create').click()
    const dialog = page.getByTestId('staff-form')
    await expect(dialog).toBeVisible()
    await expect(dialog.getByTestId('field-centre_id')).toHaveCount(0)
    await dialog.locator('#staff-username').fill(PROCTOR.username)
    await dialog.locator('#staff-display-name').fill(PROCTOR.name)
    await dialog.getByTestId('staff-role').click()
    await page.getByRole('option', { name: '监考员' }).click()
    await expect(dialog.getByTestId('field-centre_id')).toBeVisible()
    await expect(dialog.getByTestId('field-office_id')).toHaveCount(0)
    await dialog.locator('#staff-password').fill(PROCTOR.password)
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/admin/staff') && r.request().method() === 'POST')
    await dialog.getByTestId('staff-form-submit').click()
    expect((await refused).status()).toBe(422)
    await expect(dialog.getByTestId('field-centre_id').locator('.el-form-item__error')).toHaveText('监考员必须绑定一个考点')
    await expect(dialog.getByTestId('field-username').locator('.el-form-item__error')).toHaveCount(0)
    await shot(page, 'admin-staff-create-error')

    // Fixed: the centre picked, created, and listed with its centre.
    await dialog.getByTestId('staff-centre').click()
    await page.getByTestId(`centre-${centre}`).click()
    await dialog.getByTestId('staff-form-submit').click()
    await expect(dialog).toBeHidden()
    await expect(page.locator('.el-message--success', { hasText: `账号 ${PROCTOR.username} 已创建` })).toBeVisible()
    const row = staffRow(page, PROCTOR.username)
    await expect(row).toContainText('监考员')
    await expect(row).toContainText(`考点 ${centre}`)
    await expect(row.getByTestId('staff-status')).toContainText('正常')

    // The same username again: said under the username.
    await page.getByTestId('staff-create').click()
    await dialog.locator('#staff-username').fill(PROCTOR.username)
    await dialog.locator('#staff-display-name').fill('重复')
    await dialog.getByTestId('staff-role').click()
    await page.getByRole('option', { name: '题库编辑' }).click()
    await dialog.locator('#staff-password').fill('Editor-pass-2026')
    await dialog.getByTestId('staff-form-submit').click()
    await expect(dialog.getByTestId('field-username').locator('.el-form-item__error')).toHaveText('该用户名已被使用')
    await page.keyboard.press('Escape')
    await expect(dialog).toBeHidden()
    await shot(page, 'admin-staff-list')

    // The proctor logs in elsewhere and sees the centre; their menu has no admin pages.
    const proctor = await otherBrowser(browser, server)
    try {
      // The admin set the password: the first login must choose a new one,
      // and until then no other page opens (nor any API but the change and logout).
      await staffLogin(proctor.page, PROCTOR.username, PROCTOR.password)
      await expect(proctor.page).toHaveURL(/\/staff\/account\/password$/)
      await expect(proctor.page.getByTestId('password-forced')).toContainText('管理员')
      await expect(proctor.page.getByTestId('staff-nav')).toHaveCount(0)
      await shot(proctor.page, 'admin-proctor-forced-password')
      await proctor.page.goto('/staff/exam-day')
      await expect(proctor.page).toHaveURL(/\/staff\/account\/password$/)
      const me = await proctor.page.request.get('/api/v1/auth/me')
      expect(((await me.json()) as { must_change_password: boolean }).must_change_password).toBe(true)
      const refused = await proctor.page.request.get('/api/v1/stats/dashboard')
      expect(refused.status()).toBe(403)
      expect(await refused.text()).toContain('password_change_required')
      // A wrong current password, then the same password again: both refused, in Chinese.
      await proctor.page.locator('#pw-current').fill('Wrong-pass-2026')
      await proctor.page.locator('#pw-new').fill(OWN_PASSWORD)
      await proctor.page.locator('#pw-confirm').fill(OWN_PASSWORD)
      await proctor.page.getByTestId('password-submit').click()
      await expect(proctor.page.getByTestId('field-current').locator('.el-form-item__error')).toHaveText('当前密码不正确')
      await proctor.page.locator('#pw-current').fill(PROCTOR.password)
      await proctor.page.locator('#pw-new').fill(PROCTOR.password)
      await proctor.page.locator('#pw-confirm').fill(PROCTOR.password)
      await proctor.page.getByTestId('password-submit').click()
      await expect(proctor.page.getByTestId('field-new').locator('.el-form-item__error')).toHaveText('新密码不能与当前密码相同')
      await proctor.page.locator('#pw-new').fill(OWN_PASSWORD)
      await proctor.page.locator('#pw-confirm').fill(OWN_PASSWORD)
      await proctor.page.getByTestId('password-submit').click()
      await expect(proctor.page).toHaveURL(/\/staff$/)
      await expect(proctor.page.getByTestId('role')).toHaveText('监考员')
      await expect(proctor.page.getByTestId('centre-id')).toHaveText(String(centre))
      // Their menu is exam day and scores only: none of the admin pages.
      await expect(proctor.page.getByTestId('nav-exam-day')).toBeVisible()
      await expect(proctor.page.getByTestId('staff-nav').locator('[data-testid^="nav-admin"]')).toHaveCount(0)
      await shot(proctor.page, 'admin-proctor-home')
      // The admin pages are not for proctors.
      await proctor.page.goto('/staff/admin/staff')
      await expect(proctor.page).toHaveURL(/\/staff$/)

      // Sessions drawer: the proctor's login is active; revoke all ends it.
      await row.getByTestId(`sessions-${PROCTOR.username}`).click()
      const drawer = page.getByTestId('sessions-drawer')
      await expect(drawer.getByTestId('session-status')).toHaveText(['有效'])
      await drawer.getByTestId('revoke-all').click()
      await page.locator('.el-message-box').getByRole('button', { name: '注销' }).click()
      await expect(page.locator('.el-message--success', { hasText: '已注销全部会话' })).toBeVisible()
      await expect(drawer.getByTestId('session-status')).toHaveText(['已注销'])
      await expect(drawer.getByTestId('revoke-all')).toBeDisabled()
      await shot(page, 'admin-staff-sessions')
      await page.keyboard.press('Escape')
      await expect(drawer).toBeHidden()
      await proctor.page.reload()
      await expect(proctor.page).toHaveURL(/\/staff\/login/)

      // The proctor logs in again (with their own password); the admin disables the account.
      await staffLogin(proctor.page, PROCTOR.username, OWN_PASSWORD)
      await expect(proctor.page.getByTestId('centre-id')).toHaveText(String(centre))

      await row.getByTestId(`edit-${PROCTOR.username}`).click()
      await expect(dialog.locator('#staff-username')).toHaveValue(PROCTOR.username)
      await expect(dialog.locator('#staff-username')).toBeDisabled()
      await expect(dialog.getByTestId('staff-centre')).toContainText(`考点-${RUN}`)
      await dialog.getByTestId('status-disabled').click()
      await dialog.getByTestId('staff-form-submit').click()
      await expect(dialog).toBeHidden()
      await expect(page.locator('.el-message--success', { hasText: '已保存' })).toBeVisible()
      await expect(row.getByTestId('staff-status')).toContainText('已停用')

      // The proctor's next navigation lands on the login page, and logging in is refused.
      await proctor.page.reload()
      await expect(proctor.page).toHaveURL(/\/staff\/login/)
      await proctor.page.locator('#username').fill(PROCTOR.username)
      await proctor.page.locator('#password').fill(OWN_PASSWORD)
      await proctor.page.getByTestId('login').click()
      await expect(proctor.page.getByTestId('login-error')).toContainText('账号已停用')
      await shot(proctor.page, 'admin-proctor-disabled')
    } finally {
      await proctor.ctx.close()
    }

    // The account's audit records (linked from its row): created, own password chosen, sessions revoked, disabled.
    await row.getByTestId(`audit-${PROCTOR.username}`).click()
    await expect(page).toHaveURL(/\/staff\/admin\/audit\?target_type=staff_user&target_id=\d+$/)
    await expect(page.locator('#audit-target-type')).toHaveValue('staff_user')
    const table = page.getByTestId('audit-table')
    await expect(table.getByTestId('audit-action')).toHaveText(['staff.update', 'staff.revoke_sessions', 'staff.password_change', 'staff.create'])
    await expect(table.locator('.el-table__row').first()).toContainText(`${ADMIN_USERNAME} (局管理员)`)
    await shot(page, 'admin-audit-filtered')

    // The update's before/after, side by side: disabled went false -> true.
    await table.locator('.el-table__row').first().getByRole('button', { name: '详情' }).click()
    const detail = page.getByTestId('audit-detail')
    await expect(detail.getByTestId('detail-action')).toHaveText('staff.update')
    const disabled = detail.getByTestId('diff-row-disabled')
    await expect(disabled).toHaveAttribute('data-status', 'changed')
    await expect(disabled.getByTestId('diff-before')).toHaveText('false')
    await expect(disabled.getByTestId('diff-after')).toHaveText('true')
    await expect(detail.getByTestId('diff-row-centre_id')).toHaveAttribute('data-status', 'same')
    await shot(page, 'admin-audit-diff')
    await page.keyboard.press('Escape')
    await expect(detail).toBeHidden()

    // Filter by action: only creations (of this account).
    await page.locator('#audit-action').fill('staff.create')
    await page.getByTestId('audit-search').click()
    await expect(page).toHaveURL(/action=staff\.create/)
    await expect(table.getByTestId('audit-action')).toHaveText(['staff.create'])
    // A creation has no "before".
    await table.locator('.el-table__row').first().click()
    await expect(detail.getByTestId('diff-row-username')).toHaveAttribute('data-status', 'added')
    await expect(detail.getByTestId('diff-row-username').getByTestId('diff-after')).toHaveText(`"${PROCTOR.username}"`)
    await page.keyboard.press('Escape')

    // The whole log from the menu has both staff.create and staff.update; a past day has nothing.
    await page.getByTestId('nav-admin-audit').click()
    await expect(page).toHaveURL(/\/staff\/admin\/audit$/)
    await expect(page.locator('#audit-action')).toHaveValue('')
    await expect(table.getByTestId('audit-action').filter({ hasText: 'staff.create' }).first()).toBeVisible()
    await expect(table.getByTestId('audit-action').filter({ hasText: 'staff.update' }).first()).toBeVisible()
    await shot(page, 'admin-audit')
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date())
    await page.goto(`/staff/admin/audit?from=${today}&to=${today}&action=staff.update`)
    await expect(table.getByTestId('audit-action').first()).toHaveText('staff.update')
    await page.goto('/staff/admin/audit?from=2001-01-01&to=2001-01-31')
    await expect(table).toContainText('没有符合条件的记录')

    // Version conflict: someone else saves the proctor while the dialog is open.
    await page.getByTestId('nav-admin-staff').click()
    await row.getByTestId(`edit-${PROCTOR.username}`).click()
    await expect(dialog.locator('#staff-display-name')).toHaveValue(PROCTOR.name)
    const list = await page.request.get('/api/v1/admin/staff?page_size=100')
    const current = ((await list.json()).items as { id: number; username: string; version: number }[]).find(
      (u) => u.username === PROCTOR.username,
    )!
    const other = await page.request.patch(`/api/v1/admin/staff/${current.id}`, {
      headers: { 'X-Requested-With': 'examd' },
      data: { version: current.version, display_name: '别人改的名字' },
    })
    expect(other.status(), await other.text()).toBe(200)
    await dialog.locator('#staff-display-name').fill('我改的名字')
    await dialog.getByTestId('staff-form-submit').click()
    const problem = dialog.getByTestId('staff-form-problem')
    await expect(problem).toContainText('该账号已被其他人修改')
    await shot(page, 'admin-staff-conflict')
    await dialog.getByTestId('staff-form-reload').click()
    await expect(dialog.locator('#staff-display-name')).toHaveValue('别人改的名字')
    await expect(problem).toHaveCount(0)
    await dialog.locator('#staff-display-name').fill('我改的名字')
    await dialog.getByTestId('staff-form-submit').click()
    await expect(dialog).toBeHidden()
    await expect(row).toContainText('我改的名字')

    // The last active admin cannot be disabled.
    await adminRow.getByTestId(`edit-${ADMIN_USERNAME}`).click()
    await dialog.getByTestId('status-disabled').click()
    await dialog.getByTestId('staff-form-submit').click()
    await expect(problem).toContainText('不能停用或降级最后一个在用的局管理员账号')
    await shot(page, 'admin-staff-last-admin')
    await page.keyboard.press('Escape')
    await expect(adminRow.getByTestId('staff-status')).toContainText('正常')

    // Role names and the page follow the language.
    await page.getByTestId('lang-switch').click()
    await expect(page.getByRole('heading', { name: 'Staff accounts' })).toBeVisible()
    await expect(row).toContainText('Proctor')
    await expect(row.getByTestId('staff-status')).toContainText('Disabled')
    await shot(page, 'admin-staff-list-en')
    await page.getByTestId('lang-switch').click()
  })
})

// Staff pages are made for desktops but must work on a 360 px phone too.
test('admin pages fit a 360 px phone', async ({ page }) => {
  await staffLogin(page, ADMIN_USERNAME, ADMIN_PASSWORD)
  await expect(page).toHaveURL(/\/staff$/)
  await expect(page.getByTestId('staff-nav')).toBeVisible()
  await expectNoHorizontalScroll(page)

  await page.getByTestId('nav-admin-staff').click()
  await expect(staffRow(page, ADMIN_USERNAME)).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'admin-staff-360')

  await page.getByTestId('staff-create').click()
  const dialog = page.getByTestId('staff-form')
  await dialog.getByTestId('staff-role').click()
  await page.getByRole('option', { name: '窗口发证员' }).click()
  await expect(dialog.getByTestId('field-office_id')).toBeVisible()
  await dialog.getByTestId('staff-form-submit').click()
  await expect(dialog.getByTestId('field-office_id').locator('.el-form-item__error')).toHaveText('窗口发证员必须绑定一个发证点')
  await expect(dialog.getByTestId('field-password').locator('.el-form-item__error')).toHaveText('密码至少 10 位')
  await expectNoHorizontalScroll(page)
  await shot(page, 'admin-staff-create-360')
  await page.keyboard.press('Escape')

  await page.getByTestId('nav-admin-audit').click()
  const table = page.getByTestId('audit-table')
  await expect(table.getByTestId('audit-action').first()).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'admin-audit-360')
  // The newest entry may be one without a before/after (a login step); the
  // details drawer must fit either way.
  await table.locator('.el-table__row').first().click()
  await expect(page.getByTestId('detail-action')).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'admin-audit-diff-360')
})
