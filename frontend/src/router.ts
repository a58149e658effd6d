// All routes of the web app, one section per surface. Add a feature's pages
// to its surface's section; lazy `() => import(...)` keeps each surface's UI
// library (Vant for candidates, Element Plus for staff) in its own chunks.
//
// Route meta (merged from parent to child):
//   surface      'candidate' | 'staff': which login/home pages and user kind apply
//   requiresAuth the page needs a logged-in user of the surface's kind
//   roles        (staff) only these roles may open the page; others go to the staff home
//   guestOnly    login pages: a logged-in user of the surface's kind goes on to home
//   titleKey     i18n key of the page title (document.title)
//   navKey       (staff) i18n key of the page's entry in the staff layout's menu,
//                shown to the users its `roles` allow (all staff when no roles)
import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import type { Role } from './api/auth'
import { setPasswordChangeHandler, setUnauthorizedHandler } from './api/client'
import { currentUser, loadSession, setSession } from './session'
import { SURFACES, safeRedirect, type Surface } from './surfaces'

declare module 'vue-router' {
  interface RouteMeta {
    surface?: Surface
    requiresAuth?: boolean
    roles?: Role[]
    guestOnly?: boolean
    titleKey?: string
    navKey?: string
  }
}

const routes: RouteRecordRaw[] = [
  // ---------------------------------------------------------------- landing
  {
    path: '/',
    name: 'landing',
    component: () => import('./landing/LandingPage.vue'),
    meta: { titleKey: 'landing.title' },
  },

  // ------------------------------------------- candidate (phone pages, Vant)
  {
    path: '/m',
    component: () => import('./candidate/CandidateLayout.vue'),
    meta: { surface: 'candidate' },
    children: [
      {
        path: 'login',
        name: 'candidate-login',
        component: () => import('./candidate/pages/LoginPage.vue'),
        meta: { guestOnly: true, titleKey: 'candidate.login.title' },
      },
      {
        path: '',
        name: 'candidate-home',
        component: () => import('./candidate/pages/HomePage.vue'),
        meta: { requiresAuth: true, titleKey: 'candidate.home.title' },
      },
      // practice and mock exams
      { path: 'practice', name: 'practice-home', component: () => import('./candidate/pages/practice/PracticeHome.vue'), meta: { requiresAuth: true, titleKey: 'practice.title' } },
      { path: 'practice/run', name: 'practice-run', component: () => import('./candidate/pages/practice/PracticeRun.vue'), meta: { requiresAuth: true, titleKey: 'practice.title' } },
      { path: 'practice/study/:chapterId', name: 'practice-study', component: () => import('./candidate/pages/practice/StudyPage.vue'), meta: { requiresAuth: true, titleKey: 'practice.study' } },
      { path: 'practice/book/:kind(wrong|favourites)', name: 'practice-book', component: () => import('./candidate/pages/practice/BookPage.vue'), meta: { requiresAuth: true, titleKey: 'practice.title' } },
      { path: 'mock', name: 'mock-exam', component: () => import('./candidate/pages/mock/MockExam.vue'), meta: { requiresAuth: true, titleKey: 'practice.exam.title' } },
      { path: 'mock/:id(\\d+)', name: 'mock-exam-run', component: () => import('./candidate/pages/mock/MockExam.vue'), meta: { requiresAuth: true, titleKey: 'practice.exam.title' } },
      { path: 'mock/:id(\\d+)/result', name: 'mock-result', component: () => import('./candidate/pages/mock/MockResult.vue'), meta: { requiresAuth: true, titleKey: 'practice.result.title' } },
      // registration (QR channel landing, application form and timeline, ride-hailing platforms)
      { path: 'r/:code', name: 'registration-landing', component: () => import('./candidate/pages/registration/ChannelLanding.vue'), meta: { titleKey: 'registration.landing.title' } },
      { path: 'application', name: 'registration-form', component: () => import('./candidate/pages/registration/ApplicationPage.vue'), meta: { requiresAuth: true, titleKey: 'registration.form.title' } },
      { path: 'platforms', name: 'registration-platforms', component: () => import('./candidate/pages/registration/PlatformsPage.vue'), meta: { titleKey: 'registration.platforms.title' } },
      // exam booking: my booking and ticket, the session calendar
      { path: 'booking', name: 'booking', component: () => import('./candidate/pages/booking/BookingPage.vue'), meta: { requiresAuth: true, titleKey: 'booking.page.title' } },
      { path: 'booking/round', name: 'booking-round', component: () => import('./candidate/pages/booking/RoundPage.vue'), meta: { requiresAuth: true, titleKey: 'booking.round.title' } },
      { path: 'booking/sessions', name: 'booking-calendar', component: () => import('./candidate/pages/booking/CalendarPage.vue'), meta: { requiresAuth: true, titleKey: 'booking.calendar.title' } },
      // certificates: the e-certificates, PDF download, delivery and its waybill
      { path: 'certificates', name: 'my-certificates', component: () => import('./candidate/pages/cert/CertificatesPage.vue'), meta: { requiresAuth: true, titleKey: 'cert.mine.title' } },
      // Later candidate pages go here, e.g. { path: 'application', ..., meta: { requiresAuth: true } }.
    ],
  },

  // ------------------- public certificate verify page (QR codes open /v?t=<token>)
  {
    path: '/v',
    component: () => import('./candidate/CandidateLayout.vue'),
    children: [{ path: '', name: 'cert-verify', component: () => import('./verify/VerifyPage.vue'), meta: { titleKey: 'cert.verify.title' } }],
  },

  // --------------------------------------------- staff (consoles, Element Plus)
  {
    path: '/staff',
    component: () => import('./staff/StaffLayout.vue'),
    meta: { surface: 'staff' },
    children: [
      {
        path: 'login',
        name: 'staff-login',
        component: () => import('./staff/pages/LoginPage.vue'),
        meta: { guestOnly: true, titleKey: 'staff.login.title' },
      },
      {
        path: '',
        name: 'staff-home',
        component: () => import('./staff/pages/HomePage.vue'),
        meta: { requiresAuth: true, titleKey: 'staff.home.title', navKey: 'staff.home.title' },
      },
      // bureau admin: staff accounts and the audit log
      {
        path: 'admin/staff',
        name: 'admin-staff',
        component: () => import('./staff/pages/admin/StaffAccountsPage.vue'),
        meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'admin.staff.title', navKey: 'admin.staff.title' },
      },
      {
        path: 'admin/audit',
        name: 'admin-audit',
        component: () => import('./staff/pages/admin/AuditLogPage.vue'),
        meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'admin.audit.title', navKey: 'admin.audit.title' },
      },
      // registration: police background check (police_reviewer) and registration management (bureau_admin)
      { path: 'review', name: 'review-queue', component: () => import('./staff/pages/review/ReviewQueuePage.vue'), meta: { requiresAuth: true, roles: ['police_reviewer'], titleKey: 'registration.review.queueTitle', navKey: 'registration.review.nav' } },
      { path: 'review/:id(\\d+)', name: 'review-application', component: () => import('./staff/pages/review/ReviewPage.vue'), meta: { requiresAuth: true, roles: ['police_reviewer'], titleKey: 'registration.review.queueTitle' } },
      { path: 'registration', name: 'registration-admin', component: () => import('./staff/pages/channels/RegistrationAdminPage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'registration.admin.nav', navKey: 'registration.admin.nav' } },
      // question bank: editors write and import, the bureau admin reviews and publishes
      { path: 'bank', name: 'bank-list', component: () => import('./staff/pages/bank/BankListPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.nav', navKey: 'bank.nav' } },
      { path: 'bank/questions/new', name: 'bank-question-new', component: () => import('./staff/pages/bank/QuestionEditorPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.editor.newTitle' } },
      { path: 'bank/questions/:id(\\d+)', name: 'bank-question', component: () => import('./staff/pages/bank/QuestionEditorPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.nav' } },
      { path: 'bank/review', name: 'bank-review', component: () => import('./staff/pages/bank/BankReviewPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.reviewNav', navKey: 'bank.reviewNav' } },
      { path: 'bank/import', name: 'bank-import', component: () => import('./staff/pages/bank/ImportPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.importNav', navKey: 'bank.importNav' } },
      { path: 'bank/blueprints', name: 'bank-blueprints', component: () => import('./staff/pages/bank/BlueprintsPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.blueprintNav', navKey: 'bank.blueprintNav' } },
      { path: 'bank/chapters', name: 'bank-chapters', component: () => import('./staff/pages/bank/ChaptersPage.vue'), meta: { requiresAuth: true, roles: ['question_editor', 'bureau_admin'], titleKey: 'bank.chapterNav', navKey: 'bank.chapterNav' } },
      // bureau admin: the notification queue (SMS and postal orders)
      { path: 'admin/notify', name: 'admin-notify', component: () => import('./staff/pages/notify/NotifyQueuePage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'notify.title', navKey: 'notify.nav' } },
      // bureau admin: exam centres, rooms, sessions (bulk creation, fill levels, rosters)
      { path: 'booking', name: 'booking-admin', component: () => import('./staff/pages/booking/BookingAdminPage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'booking.admin.nav', navKey: 'booking.admin.nav' } },
      // certificates: window clerks post parcels and hand over at the desk; the bureau searches, revokes, replaces
      { path: 'window/parcels', name: 'window-parcels', component: () => import('./staff/pages/window/ParcelsPage.vue'), meta: { requiresAuth: true, roles: ['window_clerk'], titleKey: 'cert.window.title', navKey: 'cert.window.nav' } },
      { path: 'window/desk', name: 'window-desk', component: () => import('./staff/pages/window/PickupDeskPage.vue'), meta: { requiresAuth: true, roles: ['window_clerk'], titleKey: 'cert.desk.title', navKey: 'cert.desk.nav' } },
      { path: 'certificates', name: 'admin-certificates', component: () => import('./staff/pages/cert/CertificatesAdminPage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'cert.admin.title', navKey: 'cert.admin.nav' } },
      // formal exam: proctor console (proctor; a bureau admin picks the centre) and scores
      { path: 'exam-day', name: 'exam-day', component: () => import('./staff/pages/examday/ExamDayPage.vue'), meta: { requiresAuth: true, roles: ['proctor', 'bureau_admin'], titleKey: 'examday.title', navKey: 'examday.nav' } },
      { path: 'scores', name: 'scores', component: () => import('./staff/pages/examday/ScoresPage.vue'), meta: { requiresAuth: true, roles: ['proctor', 'bureau_admin'], titleKey: 'examday.scores.title', navKey: 'examday.scoresNav' } },
      // statistics of the management end (a proctor sees their own centre's figures)
      { path: 'statistics', name: 'statistics', component: () => import('./staff/pages/stats/StatisticsPage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin', 'proctor'], titleKey: 'stats.title', navKey: 'stats.nav' } },
      // archives (档案管理): the bureau searches and exports; a proctor or clerk opens the part at their centre or office
      { path: 'archive', name: 'archive', component: () => import('./staff/pages/archive/ArchivePage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin', 'proctor', 'window_clerk'], titleKey: 'archive.title', navKey: 'archive.nav' } },
      { path: 'archive/candidates/:id(\\d+)', name: 'archive-dossier', component: () => import('./staff/pages/archive/DossierPage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin', 'proctor', 'window_clerk'], titleKey: 'archive.title' } },
      // integrity: the ledger of results and certificate events
      { path: 'admin/ledger', name: 'admin-ledger', component: () => import('./staff/pages/admin/LedgerPage.vue'), meta: { requiresAuth: true, roles: ['bureau_admin'], titleKey: 'ledger.title', navKey: 'ledger.nav' } },
      // every staff member: two-step verification of their own account
      { path: 'account/password', name: 'account-password', component: () => import('./staff/pages/account/PasswordPage.vue'), meta: { requiresAuth: true, titleKey: 'account.password.title' } },
      { path: 'account', name: 'account-security', component: () => import('./staff/pages/account/SecurityPage.vue'), meta: { requiresAuth: true, titleKey: 'account.title', navKey: 'account.nav' } },
      // Later staff pages go here with their roles, e.g.
      // { path: 'reviews', ..., meta: { requiresAuth: true, roles: ['police_reviewer'] } }.
    ],
  },

  // ------------------------------ exam terminal (a centre's PC in kiosk mode)
  // Not a logged-in surface: the terminal credential and the candidate's
  // ticket login are handled by the page itself.
  { path: '/terminal', name: 'exam-terminal', component: () => import('./terminal/TerminalPage.vue'), meta: { titleKey: 'examday.terminal.title' } },

  // ---------------------------------------------------------------- fallback
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

/** Where a staff member whose password an admin set must go first. */
export const PASSWORD_PAGE = 'account-password'

function toLogin(surface: Surface, from: RouteLocationNormalized) {
  const s = SURFACES[surface]
  const query = from.name === s.home || from.name === s.login ? {} : { redirect: from.fullPath }
  return { name: s.login, query }
}

router.beforeEach(async (to) => {
  const surface = to.meta.surface
  if (!surface || !(to.meta.requiresAuth || to.meta.guestOnly)) return true
  const s = SURFACES[surface]

  let user = null
  try {
    user = await loadSession()
  } catch {
    // Server unreachable or failing: treat as logged out; the login page shows the real error when used.
  }
  const signedIn = user !== null && user.kind === s.kind

  if (to.meta.requiresAuth) {
    if (!signedIn) return toLogin(surface, to)
    // A password an admin set: nothing but the change page until it is changed.
    if (user!.must_change_password && to.name !== PASSWORD_PAGE) return { name: PASSWORD_PAGE }
    if (to.meta.roles && !to.meta.roles.includes(user!.role)) return { name: s.home }
  }
  if (to.meta.guestOnly && signedIn) {
    return safeRedirect(to.query.redirect, surface) ?? { name: s.home }
  }
  return true
})

// A 401 from any API call while on a page that needs a login: the session
// has ended (expired or logged out elsewhere), so go to that surface's login.
setUnauthorizedHandler(() => {
  const cur = router.currentRoute.value
  if (!cur.meta.requiresAuth || !cur.meta.surface) return
  setSession(null)
  void router.replace(toLogin(cur.meta.surface, cur))
})

// A 403 password_change_required: the account's password was set by an admin
// (the session learnt it after this page was opened): change it first.
setPasswordChangeHandler(() => {
  if (currentUser.value) currentUser.value = { ...currentUser.value, must_change_password: true }
  if (router.currentRoute.value.name !== PASSWORD_PAGE) void router.replace({ name: PASSWORD_PAGE })
})
