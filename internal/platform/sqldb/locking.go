package sqldb

import "gorm.io/gorm/clause"

func lockingClause(strength, options string) clause.Locking {
	return clause.Locking{Strength: strength, Options: options}
}
