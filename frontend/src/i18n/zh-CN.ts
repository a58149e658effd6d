import notifyZhCN from './notify.zh-CN'
import bookingZhCN from './booking.zh-CN'
import examdayZhCN, { examdayErrorsZhCN } from './examday.zh-CN'
import adminZhCN from './admin.zh-CN'
import registrationZhCN from './registration.zh-CN'
import practiceZhCN from './practice.zh-CN'
import bankZhCN from './bank.zh-CN'
import certZhCN, { certErrorsZhCN } from './cert.zh-CN'
import statsZhCN, { statsErrorsZhCN } from './stats.zh-CN'
import { accountZhCN, archiveErrorsZhCN, archiveZhCN, ledgerZhCN } from './archive.zh-CN'

// Simplified Chinese: the default language. Every key here must also exist in
// en.ts (a unit test and the MessageSchema type both check it).
const zhCN = {
  common: {
    appName: '出租汽车驾驶员从业资格考试',
    // Label of the language switch: names the language it switches TO.
    switchLanguage: 'English',
    logout: '退出登录',
    loggedOut: '已退出登录',
    loading: '加载中…',
    none: '无',
    back: '返回首页',
  },
  landing: {
    title: '出租汽车驾驶员从业资格考试',
    subtitle: '巡游出租汽车 · 网络预约出租汽车',
    candidate: '考生',
    candidateDesc: '报名、练习、预约考试、领取证件',
    staff: '工作人员',
    staffDesc: '公安审核、考点考试、窗口发证、行业管理',
  },
  candidate: {
    login: {
      title: '考生登录',
      intro: '使用手机号和短信验证码登录，首次登录即完成注册。',
      phone: '手机号',
      phonePlaceholder: '请输入 11 位手机号',
      phoneInvalid: '请输入正确的 11 位手机号',
      code: '验证码',
      codePlaceholder: '请输入 6 位验证码',
      codeInvalid: '请输入 6 位数字验证码',
      getCode: '获取验证码',
      resendIn: '{n} 秒后重发',
      codeSent: '验证码已发送',
      submit: '登录',
    },
    home: {
      title: '考生首页',
      welcome: '欢迎，{name}',
      welcomeNoName: '欢迎',
      phone: '手机号',
      name: '姓名',
    },
  },
  staff: {
    login: {
      title: '工作人员登录',
      username: '用户名',
      usernamePlaceholder: '请输入用户名',
      usernameRequired: '请输入用户名',
      password: '密码',
      passwordPlaceholder: '请输入密码',
      passwordRequired: '请输入密码',
      submit: '登录',
    },
    home: {
      title: '工作台',
      account: '当前账号',
      username: '用户名',
      displayName: '姓名',
      role: '角色',
      centre: '所属考点编号',
      office: '所属发证点编号',
    },
  },
  admin: adminZhCN,
  notify: notifyZhCN,
  registration: registrationZhCN,
  booking: bookingZhCN,
  practice: practiceZhCN,
  bank: bankZhCN,
  cert: certZhCN,
  stats: statsZhCN,
  examday: examdayZhCN,
  archive: archiveZhCN,
  ledger: ledgerZhCN,
  account: accountZhCN,
  roles: {
    candidate: '考生',
    police_reviewer: '公安审核员',
    proctor: '监考员',
    window_clerk: '窗口发证员',
    question_editor: '题库编辑',
    bureau_admin: '局管理员',
  },
  // Texts for the server's error codes (ApiError.code). A code missing here
  // shows the server's own message.
  errors: {
    // ---- exam day (exam/proctoring, exam/results) ----
    ...examdayErrorsZhCN,
    network_error: '网络连接失败，请稍后再试',
    generic: '请求失败（{status}），请稍后再试',
    unauthenticated: '请先登录',
    forbidden: '没有权限执行此操作',
    invalid_code: '验证码错误或已过期',
    invalid_credentials: '用户名或密码错误',
    account_locked: '账号已锁定',
    // account_locked with the server's retry_after_seconds: the local unlock time.
    lockedUntil: '账号已锁定，请在 {time} 后再试',
    rate_limited: '操作过于频繁',
    retryInSeconds: '操作过于频繁，请 {n} 秒后再试',
    retryAfterTime: '操作过于频繁，请在 {time} 后再试',
    validation_failed: '填写的内容有误，请检查',
    invalid_input: '填写的内容有误，请检查',
    account_disabled: '账号已停用，请联系管理员',
    username_taken: '该用户名已被使用',
    version_conflict: '内容已被其他人修改，请刷新后重试',
    last_admin: '不能停用或降级最后一个在用的局管理员',
    // ---- own password ----
    password_change_required: '请先修改管理员为你设置的密码',
    current_password_wrong: '当前密码不正确',
    password_unchanged: '新密码不能与当前密码相同',
    // ---- hotpath: group-commit writer ----
    write_queue_full: '服务器正忙于保存答案，请稍后重试',
    shutting_down: '服务器正在重启，请稍后重试',
    not_found: '要找的内容不存在',
    // ---- security ----
    request_in_progress: '请求正在处理中，请稍候',
    bad_idempotency_key: '请求无法安全发送，请刷新页面',
    idempotency_key_reused: '该请求已以不同内容提交过，请刷新页面',
    // A known error's text followed by the server's detail (e.g. until when).
    withDetail: '{text}：{detail}',
    // exam/booking error codes
    ...bookingZhCN.errors,
    // ---- certificates ----
    ...certErrorsZhCN,
    // ---- statistics ----
    ...statsErrorsZhCN,
    // ---- archives, ledger, two-step verification ----
    ...archiveErrorsZhCN,
  },
  // ---- security: the candidate's logins ----
  sessions: {
    title: '登录设备',
    current: '本机',
    since: '登录于 {time}',
    unknownDevice: '未知设备',
    end: '下线',
    ended: '该设备已下线',
    endAll: '退出所有设备',
  },
}

export default zhCN
