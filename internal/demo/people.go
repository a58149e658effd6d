package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"taxiexam/exam/registration"
)

// County is a county of the example city with its GB/T 2260 code, the exam
// centre and issuing window its people use, and its share of candidates.
type County struct {
	Name   string
	Code   string // first six digits of a resident's ID number
	Centre int    // index into the city's centres
	Office int    // index into the city's issuing windows
	Weight int
}

// Zhangzhou's counties (漳州市, GB/T 2260).
var counties = []County{
	{"芗城区", "350602", 0, 0, 22}, {"龙文区", "350603", 0, 0, 12}, {"龙海区", "350604", 1, 1, 16},
	{"长泰区", "350605", 0, 0, 5}, {"云霄县", "350622", 2, 2, 6}, {"漳浦县", "350623", 2, 2, 12},
	{"诏安县", "350624", 2, 2, 7}, {"东山县", "350626", 2, 2, 4}, {"南靖县", "350627", 0, 0, 6},
	{"平和县", "350628", 0, 0, 7}, {"华安县", "350629", 0, 0, 3},
}

var (
	surnames    = []rune("林陈黄张吴王李郑蔡杨许刘洪曾江谢周苏卢游戴叶沈赖何方庄郭")
	maleChars   = []rune("建国志明伟强文华军荣海鑫龙杰斌俊辉鹏毅坤宏锦源福振达晖")
	femaleChars = []rune("丽芳秀美婷雅静玲燕琳慧敏娟霞莉萍红洁颖倩")
	streets     = []string{"胜利西路", "延安北路", "元光北路", "水仙大街", "新华南路", "九龙大道", "江滨路", "龙江路", "人民路", "中山路", "建元路", "丹霞路"}
	prefixes    = []string{"130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "166", "173", "176", "177", "180", "181", "185", "186", "187", "188", "189", "191", "198", "199"}
)

// Person is a synthetic but valid identity: the name is drawn from common
// local names, the ID number follows GB 11643 (area, birth date, sequence
// with the sex in its last digit, MOD 11-2 check character) and the phone
// number matches ^1[3-9]\d{9}$.
type Person struct {
	Name      string
	IDNumber  string
	Phone     string
	Male      bool
	Birth     time.Time
	County    County
	Address   string
	LicenceOn time.Time // driving licence first issued
}

// people draws unique persons.
type people struct {
	rnd    *rand.Rand
	ids    map[string]bool
	phones map[string]bool
	weight int
}

func newPeople(rnd *rand.Rand) *people {
	p := &people{rnd: rnd, ids: map[string]bool{}, phones: map[string]bool{}}
	for _, c := range counties {
		p.weight += c.Weight
	}
	return p
}

func (p *people) county() County {
	n := p.rnd.IntN(p.weight)
	for _, c := range counties {
		if n < c.Weight {
			return c
		}
		n -= c.Weight
	}
	return counties[0]
}

// next draws a person aged 24 to 57 on asOf, with a licence held at least
// three years (the exam's rule) and one more year of margin.
func (p *people) next(asOf time.Time) Person {
	r := p.rnd
	per := Person{Male: r.IntN(100) < 88, County: p.county()}
	per.Birth = asOf.AddDate(-24-r.IntN(34), -r.IntN(12), -r.IntN(28))
	for {
		seq := r.IntN(500) * 2 // even: female
		if per.Male {
			seq++
		}
		first17 := fmt.Sprintf("%s%s%03d", per.County.Code, per.Birth.Format("20060102"), seq)
		id := first17 + string(registration.IDCheckChar(first17))
		if !p.ids[id] {
			p.ids[id] = true
			per.IDNumber = id
			break
		}
	}
	for {
		ph := prefixes[r.IntN(len(prefixes))] + fmt.Sprintf("%08d", r.IntN(100_000_000))
		if !p.phones[ph] {
			p.phones[ph] = true
			per.Phone = ph
			break
		}
	}
	var b strings.Builder
	b.WriteRune(surnames[r.IntN(len(surnames))])
	chars := femaleChars
	if per.Male {
		chars = maleChars
	}
	for i := 0; i < 1+r.IntN(2); i++ {
		b.WriteRune(chars[r.IntN(len(chars))])
	}
	per.Name = b.String()
	per.Address = fmt.Sprintf("福建省漳州市%s%s%d号", per.County.Name, streets[r.IntN(len(streets))], 1+r.IntN(300))
	// licence at 18 to (age - 4), so always held four years or more
	age := asOf.Year() - per.Birth.Year()
	per.LicenceOn = per.Birth.AddDate(18+r.IntN(max(1, age-22)), r.IntN(12), r.IntN(28))
	return per
}
