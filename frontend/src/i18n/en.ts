import errorTable from './errors/en.json'
import notifyEn from './notify.en'
import bookingEn from './booking.en'
import examdayEn from './examday.en'
import type { MessageSchema } from './index'
import adminEn from './admin.en'
import registrationEn from './registration.en'
import practiceEn from './practice.en'
import bankEn from './bank.en'
import certEn from './cert.en'
import statsEn from './stats.en'
import { accountEn, archiveEn, ledgerEn } from './archive.en'

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
  // Texts for the server's error codes and field-error (reason) codes: one
  // table per language, src/i18n/errors/*.json, kept complete by a Go test
  // (internal/errcodes). Below: the web app's own error texts.
  errors: {
    ...errorTable.errors,
    network_error: 'Network error, please try again later',
    generic: 'Request failed ({status}), please try again later',
    lockedUntil: 'Account locked; try again after {time}',
    retryInSeconds: 'Too many requests; try again in {n} s',
    retryAfterTime: 'Too many requests; try again after {time}',
    validation_failed: 'Please check the highlighted fields',
    withDetail: '{text}: {detail}',
  },
  reasons: errorTable.reasons,
  // Parameter values that are codes (e.g. a pledge item), by parameter name.
  errorParams: errorTable.params,
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
