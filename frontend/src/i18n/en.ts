import notifyEn from './notify.en'
import bookingEn from './booking.en'
import examdayEn, { examdayErrorsEn } from './examday.en'
import type { MessageSchema } from './index'
import adminEn from './admin.en'
import registrationEn from './registration.en'
import practiceEn from './practice.en'
import bankEn from './bank.en'
import certEn, { certErrorsEn } from './cert.en'
import statsEn, { statsErrorsEn } from './stats.en'
import { accountEn, archiveEn, archiveErrorsEn, ledgerEn } from './archive.en'

// English. Must have exactly the keys of zh-CN.ts (typed by MessageSchema and
// checked by tests/unit/i18n.test.ts).
const en: MessageSchema = {
  common: {
    appName: 'Taxi Driver Qualification Exam',
    switchLanguage: '中文',
    logout: 'Log out',
    loggedOut: 'Logged out',
    loading: 'Loading…',
    none: 'None',
    back: 'Back to start',
  },
  landing: {
    title: 'Taxi Driver Qualification Exam',
    subtitle: 'Cruising taxi · Ride-hailing',
    candidate: 'Candidate',
    candidateDesc: 'Apply, practise, book the exam, receive certificates',
    staff: 'Staff',
    staffDesc: 'Police review, exam centres, issuing windows, bureau management',
  },
  candidate: {
    login: {
      title: 'Candidate login',
      intro: 'Log in with your mobile number and an SMS code. Your first login registers you.',
      phone: 'Mobile',
      phonePlaceholder: '11-digit mobile number',
      phoneInvalid: 'Enter a valid 11-digit mobile number',
      code: 'Code',
      codePlaceholder: '6-digit code',
      codeInvalid: 'Enter the 6-digit code',
      getCode: 'Get code',
      resendIn: 'Resend in {n}s',
      codeSent: 'Code sent',
      submit: 'Log in',
    },
    home: {
      title: 'Candidate home',
      welcome: 'Welcome, {name}',
      welcomeNoName: 'Welcome',
      phone: 'Mobile',
      name: 'Name',
    },
  },
  staff: {
    login: {
      title: 'Staff login',
      username: 'Username',
      usernamePlaceholder: 'Username',
      usernameRequired: 'Enter your username',
      password: 'Password',
      passwordPlaceholder: 'Password',
      passwordRequired: 'Enter your password',
      submit: 'Log in',
    },
    home: {
      title: 'Workbench',
      account: 'Signed in as',
      username: 'Username',
      displayName: 'Name',
      role: 'Role',
      centre: 'Exam centre ID',
      office: 'Issuing office ID',
    },
  },
  admin: adminEn,
  notify: notifyEn,
  registration: registrationEn,
  booking: bookingEn,
  practice: practiceEn,
  bank: bankEn,
  cert: certEn,
  stats: statsEn,
  examday: examdayEn,
  archive: archiveEn,
  ledger: ledgerEn,
  account: accountEn,
  roles: {
    candidate: 'Candidate',
    police_reviewer: 'Police reviewer',
    proctor: 'Proctor',
    window_clerk: 'Window clerk',
    question_editor: 'Question editor',
    bureau_admin: 'Bureau administrator',
  },
  errors: {
    // ---- exam day (exam/proctoring, exam/results) ----
    ...examdayErrorsEn,
    network_error: 'Network error, please try again later',
    generic: 'Request failed ({status}), please try again later',
    unauthenticated: 'Please log in first',
    forbidden: 'You are not allowed to do this',
    invalid_code: 'Wrong or expired code',
    invalid_credentials: 'Wrong username or password',
    account_locked: 'Account locked',
    lockedUntil: 'Account locked; try again after {time}',
    rate_limited: 'Too many requests',
    retryInSeconds: 'Too many requests; try again in {n} s',
    retryAfterTime: 'Too many requests; try again after {time}',
    validation_failed: 'Please check the highlighted fields',
    invalid_input: 'Please check the highlighted fields',
    account_disabled: 'This account is disabled; ask an administrator',
    username_taken: 'This username is already taken',
    version_conflict: 'Someone else changed this in the meantime; reload and try again',
    last_admin: 'The last active bureau administrator cannot be disabled or demoted',
    // ---- own password ----
    password_change_required: 'Change the password an administrator set for you first',
    current_password_wrong: 'The current password is wrong',
    password_unchanged: 'The new password must differ from the current one',
    // ---- hotpath: group-commit writer ----
    write_queue_full: 'The server is busy saving answers; please retry in a moment',
    shutting_down: 'The server is restarting; please retry in a moment',
    not_found: 'Not found',
    // ---- security ----
    request_in_progress: 'Still being processed; please wait a moment',
    bad_idempotency_key: 'The request could not be sent safely; please reload the page',
    idempotency_key_reused: 'This request was already sent with different content; please reload the page',
    withDetail: '{text}: {detail}',
    // exam/booking error codes
    ...bookingEn.errors,
    // ---- certificates ----
    ...certErrorsEn,
    // ---- statistics ----
    ...statsErrorsEn,
    // ---- archives, ledger, two-step verification ----
    ...archiveErrorsEn,
  },
  // ---- security: the candidate's logins ----
  sessions: {
    title: 'Where you are logged in',
    current: 'This device',
    since: 'since {time}',
    unknownDevice: 'Unknown device',
    end: 'Log out',
    ended: 'That device is logged out',
    endAll: 'Log out everywhere',
  },
}

export default en
