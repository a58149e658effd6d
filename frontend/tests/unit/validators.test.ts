import { describe, expect, it } from 'vitest'
import { isValidPhone, isValidSmsCode } from '../../src/candidate/validators'
import { safeRedirect } from '../../src/surfaces'

describe('candidate validators', () => {
  it('accepts mainland mobile numbers only', () => {
    expect(isValidPhone('13800138000')).toBe(true)
    expect(isValidPhone('19912345678')).toBe(true)
    expect(isValidPhone('12800138000')).toBe(false)
    expect(isValidPhone('1380013800')).toBe(false)
    expect(isValidPhone('138001380001')).toBe(false)
    expect(isValidPhone('1380013800a')).toBe(false)
  })

  it('accepts 6-digit codes only', () => {
    expect(isValidSmsCode('123456')).toBe(true)
    expect(isValidSmsCode('12345')).toBe(false)
    expect(isValidSmsCode('12345a')).toBe(false)
  })
})

describe('safeRedirect', () => {
  it('follows only paths inside the surface', () => {
    expect(safeRedirect('/m/application', 'candidate')).toBe('/m/application')
    expect(safeRedirect('/m', 'candidate')).toBe('/m')
    expect(safeRedirect('/staff', 'candidate')).toBeUndefined()
    expect(safeRedirect('//evil.example/m', 'candidate')).toBeUndefined()
    expect(safeRedirect('https://evil.example/m', 'candidate')).toBeUndefined()
    expect(safeRedirect('/mx', 'candidate')).toBeUndefined()
    expect(safeRedirect(['/m'], 'candidate')).toBeUndefined()
    expect(safeRedirect('/staff/users', 'staff')).toBe('/staff/users')
  })
})
