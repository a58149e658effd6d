import { describe, expect, it } from 'vitest'
import { idCheckChar, idNumberProblem, isValidPhone, isValidSmsCode } from '../../src/candidate/validators'
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

describe('ID number (GB 11643), as the server checks it', () => {
  it.each([
    ['35050219900101123X', ''],
    [' 35050219900101123x ', ''], // trimmed, lower-case x
    ['110101199003074477', ''],
    ['', 'required'],
    ['3505021990010112', 'length'],
    ['35050219900101123XX', 'length'],
    ['3505021990010A123X', 'digits'],
    ['35050219900101123Y', 'last'],
    ['99050219900101123X', 'region'],
    ['350502199002301234', 'date'], // 30 February
    ['350502199013011234', 'date'],
    ['350502189901011234', 'impossible'], // before 1900
    ['350502203001011234', 'impossible'], // after today
    ['350502199001011231', 'checksum'],
  ])('%s -> %s', (id, want) => {
    expect(idNumberProblem(id, '2026-12-07')).toBe(want)
  })

  it('computes the check character', () => {
    expect(idCheckChar('35050219900101123')).toBe('X')
    expect(idCheckChar('11010119900307447')).toBe('7')
  })
})
