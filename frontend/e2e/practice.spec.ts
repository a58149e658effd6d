// Practice and mock exams, as a new candidate on a phone: practise a chapter
// in order, leave, come back to the same place, get one wrong and find it in
// the wrong-answer book, sit a full mock exam, reload mid-exam without losing
// answers, submit and see the result with the review.
// Needs the sample bank the embedded default loads.
import type { Page } from '@playwright/test'
import { expect, expectNoHorizontalScroll, logOffset, maskPhone, readSmsCode, shot, test, type ServerState } from './support'

async function login(page: Page, server: ServerState, phone: string) {
  await page.goto('/m/login')
  await page.locator('#phone').fill(phone)
  const after = logOffset(server.logPath)
  await page.getByTestId('send-code').click()
  const code = await readSmsCode(server.logPath, maskPhone(phone), { after })
  await page.locator('#code').fill(code)
  await page.getByTestId('login').click()
  await expect(page).toHaveURL(/\/m$/)
}

interface StudyQ {
  id: number
  options: { key: string }[]
  answer: string[]
}

test('candidate: sequential practice resumes, wrong answer lands in the book, mock exam survives a reload', async ({ page, server }) => {
  test.setTimeout(120_000) // the rules screen and the mock exam on a shared machine
  await login(page, server, '13700137111')
  await page.getByTestId('go-practice').click()
  await expect(page).toHaveURL(/\/m\/practice$/)
  await expect(page.getByTestId('readiness')).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'practice-home')

  // Start the first chapter in order.
  await page.getByTestId('sequential').first().click()
  await expect(page).toHaveURL(/\/m\/practice\/run\?mode=sequential&chapter_id=\d+/)
  const chapterId = Number(new URL(page.url()).searchParams.get('chapter_id'))
  await expect(page.getByTestId('position')).toContainText(/第 1\/\d+ 题/)
  // The key is not on the page before answering.
  await expect(page.getByTestId('verdict')).toHaveCount(0)

  // The study API tells this test the keys (a person would just answer).
  const study = await page.request.get(`/api/v1/practice/chapters/${chapterId}/study?page_size=5`)
  expect(study.status()).toBe(200)
  const qs = ((await study.json()) as { items: StudyQ[] }).items
  const pickRight = (q: StudyQ) => q.answer
  const pickWrong = (q: StudyQ) => [q.options.find((o) => !q.answer.includes(o.key))!.key]

  // 1: right.
  for (const k of pickRight(qs[0])) await page.getByTestId(`option-${k}`).click()
  await page.getByTestId('check').click()
  await expect(page.getByTestId('verdict')).toHaveAttribute('data-correct', 'true')
  await expect(page.getByTestId('explanation')).not.toBeEmpty()
  await page.getByTestId('next').click()
  await expect(page.getByTestId('position')).toContainText(/第 2\/\d+ 题/)

  // 2: wrong -> the key and explanation are revealed, the question is booked.
  for (const k of pickWrong(qs[1])) await page.getByTestId(`option-${k}`).click()
  await page.getByTestId('check').click()
  await expect(page.getByTestId('verdict')).toHaveAttribute('data-correct', 'false')
  await expect(page.getByTestId('in-wrong-book')).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'practice-wrong-answer')
  await page.getByTestId('next').click()
  await expect(page.getByTestId('position')).toContainText(/第 3\/\d+ 题/)

  // The answer card shows 1 right, 2 wrong, 3 unanswered.
  await page.getByTestId('open-card').click()
  await expect(page.getByTestId('card-1')).toHaveAttribute('data-state', 'right')
  await expect(page.getByTestId('card-2')).toHaveAttribute('data-state', 'wrong')
  await expect(page.getByTestId('card-3')).toHaveAttribute('data-state', 'unanswered')
  await shot(page, 'practice-answer-card')
  await page.keyboard.press('Escape')
  await page.locator('.van-overlay').first().click({ force: true }).catch(() => undefined)

  // Leave, come back: the chapter resumes at question 3.
  await page.goto('/m')
  await page.getByTestId('go-practice').click()
  await expect(page.getByTestId('sequential').first()).toContainText('继续第 3 题')
  await page.reload()
  await page.getByTestId('sequential').first().click()
  await expect(page.getByTestId('position')).toContainText(/第 3\/\d+ 题/)

  // The wrong-answer book holds question 2, with its key.
  await page.goto('/m/practice')
  await page.getByTestId('go-wrong-book').click()
  await expect(page.getByTestId('book-item')).toHaveCount(1)
  await expect(page.getByTestId('book-item').first()).toHaveAttribute('data-question-id', String(qs[1].id))
  await expectNoHorizontalScroll(page)
  await shot(page, 'practice-wrong-book')

  // Full mock exam: the rules first (from the blueprint), nothing timed yet.
  await page.goto('/m/practice')
  await page.getByTestId('go-mock').click()
  await expect(page).toHaveURL(/\/m\/mock$/)
  const rules = page.getByTestId('mock-rules')
  await expect(rules.getByTestId('rules-total')).toContainText('限时 2 小时 15 分钟')
  await expect(rules.getByTestId('rules-national')).toContainText('全国公共科目')
  await expect(rules.getByTestId('rules-national')).toContainText('题 · 90 分钟')
  await expect(rules.getByTestId('rules-national')).toContainText('满分 100 分，80 分（80%）及以上合格')
  await expect(rules.getByTestId('rules-regional')).toContainText('题 · 45 分钟')
  await expect(page.getByTestId('countdown')).toHaveCount(0)
  expect(((await (await page.request.get('/api/v1/mock-exams')).json()) as { total: number }).total).toBe(0)
  await expectNoHorizontalScroll(page)
  await shot(page, 'mock-rules')
  await page.getByTestId('mock-start').click()
  await expect(page).toHaveURL(/\/m\/mock\/\d+$/)
  await expect(page.getByTestId('countdown')).toHaveText(/\d+:\d\d/)
  await expect(page.getByTestId('position')).toContainText('第 1/')
  const mockURL = page.url()
  const firstOption = page.locator('[data-testid^="option-"]').first()
  const firstKey = (await firstOption.getAttribute('data-testid'))!.replace('option-', '')
  await firstOption.click()
  await expect(page.getByTestId('save-state')).toHaveText('已保存')
  await page.getByTestId('next').click()
  await expect(page.getByTestId('position')).toContainText('第 2/')
  await page.locator('[data-testid^="option-"]').nth(1).click()
  await expect(page.getByTestId('save-state')).toHaveText('已保存')
  await page.getByTestId('mark').click()
  await expect(page.getByTestId('save-state')).toHaveText('已保存')
  await expectNoHorizontalScroll(page)
  await shot(page, 'mock-exam')

  // Reload mid-exam: same attempt, answers and the mark kept, resumes at 3.
  await page.reload()
  await expect(page).toHaveURL(mockURL)
  await expect(page.getByTestId('position')).toContainText('第 3/')
  await page.getByTestId('open-card').click()
  await expect(page.getByTestId('card-1')).toHaveAttribute('data-state', 'answered')
  await expect(page.getByTestId('card-2')).toHaveAttribute('data-state', 'answered')
  await expect(page.getByTestId('card-2')).toHaveAttribute('data-marked', 'true')
  await expect(page.getByTestId('card-3')).toHaveAttribute('data-state', 'unanswered')
  await shot(page, 'mock-exam-card-after-reload')
  await page.getByTestId('card-1').click()
  await expect(page.getByTestId('position')).toContainText('第 1/')
  await expect(page.getByTestId(`option-${firstKey}`)).toHaveClass(/q-opt--picked/)

  // Starting again from the practice home: the rules say an exam is running; the button resumes it.
  await page.goto('/m/practice')
  await page.getByTestId('go-mock').click()
  await expect(page.getByTestId('rules-open')).toBeVisible()
  await expect(page.getByTestId('mock-start')).toHaveText('继续考试')
  await page.getByTestId('mock-start').click()
  await expect(page).toHaveURL(mockURL)

  // Submit (most questions unanswered: the confirmation says so) and see the result.
  await page.getByTestId('submit').click()
  await expect(page.locator('.van-dialog')).toContainText('题未作答')
  await page.locator('.van-dialog__confirm').click()
  await expect(page).toHaveURL(/\/m\/mock\/\d+\/result$/)
  await expect(page.getByTestId('result')).toHaveAttribute('data-passed', 'false')
  await expect(page.getByTestId('score-national')).toBeVisible()
  await expect(page.getByTestId('score-regional')).toBeVisible()
  await expect(page.getByTestId('review-item').first()).toBeVisible()
  await expectNoHorizontalScroll(page)
  await shot(page, 'mock-result')

  // The mock shows in the progress history.
  const progress = await page.request.get('/api/v1/practice/progress')
  expect(((await progress.json()) as { mocks: unknown[] }).mocks).toHaveLength(1)
})

test('candidate: another candidate cannot read my mock exam', async ({ page, server, browser }) => {
  await login(page, server, '13700137222')
  const start = await page.request.post('/api/v1/mock-exams', { headers: { 'X-Requested-With': 'examd' } })
  expect(start.status()).toBe(200)
  const { id, questions } = (await start.json()) as { id: number; questions: { question_id: number; answer?: string[] }[] }
  expect(questions[0].answer).toBeUndefined()

  const other = await browser.newContext({ baseURL: server.baseURL })
  const p2 = await other.newPage()
  await login(p2, server, '13700137333')
  expect((await p2.request.get(`/api/v1/mock-exams/${id}`)).status()).toBe(404)
  const put = await p2.request.put(`/api/v1/mock-exams/${id}/answers/${questions[0].question_id}`, {
    headers: { 'X-Requested-With': 'examd' },
    data: { given: ['A'], seq: 1, marked: false },
  })
  expect(put.status()).toBe(404)
  await other.close()

  // Answering a question that is not in the attempt: a clear 422.
  const bad = await page.request.put(`/api/v1/mock-exams/${id}/answers/99999999`, {
    headers: { 'X-Requested-With': 'examd' },
    data: { given: ['A'], seq: 1, marked: false },
  })
  expect(bad.status()).toBe(422)
  expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('question_not_in_attempt')
})
