package bankdb

import (
	"time"

	"gorm.io/gorm"

	"taxiexam/internal/platform/sqldb"
)

// Migrations of the question bank (IDs 300-399). Each declares the rows
// as they were at that point, never the live structs.
func Migrations() []sqldb.Migration {
	return []sqldb.Migration{
		{ID: 300, Name: "question bank: chapters, questions, versions, images, blueprints, imports, state", Up: up300},
		{ID: 301, Name: "question bank: import rows stored in chunks (one value per chunk stays under max_allowed_packet)", Up: up301},
	}
}

func up301(tx *gorm.DB) error {
	type qbImportChunk struct {
		ImportID int64  `gorm:"primaryKey;autoIncrement:false"`
		Seq      int    `gorm:"primaryKey;autoIncrement:false"`
		Rows     string `gorm:"type:longtext;not null"`
	}
	if tx.Migrator().HasTable("qb_import_chunks") { // re-run after a crash between the DDL and its record
		return nil
	}
	return tx.Table("qb_import_chunks").Migrator().CreateTable(&qbImportChunk{})
}

// m300Import is qb_imports as migration 300 created it (package level so
// the upgrade test of 301 can write a pre-301 import with it).
type m300Import struct {
	ID        int64  `gorm:"primaryKey"`
	FileName  string `gorm:"size:255;not null"`
	Status    string `gorm:"size:16;not null"`
	Rows      string `gorm:"type:longtext;not null"` // the parsed rows, until 301 moved them to chunks
	Errors    string `gorm:"type:longtext;not null"`
	CreatedBy int64  `gorm:"not null"`
	CreatedAt time.Time
	DoneAt    *time.Time
}

func up300(tx *gorm.DB) error {
	type qbChapter struct {
		ID        int64  `gorm:"primaryKey"`
		Subject   string `gorm:"size:16;not null"`
		Code      string `gorm:"size:32;not null;uniqueIndex:uq_qb_chapters_code"`
		Name      string `gorm:"size:100;not null"`
		Sort      int    `gorm:"not null;default:0"`
		Version   int    `gorm:"not null;default:1"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type qbQuestion struct {
		ID          int64  `gorm:"primaryKey"`
		Subject     string `gorm:"size:16;not null;index:idx_qb_questions_filter,priority:1"`
		ChapterID   int64  `gorm:"not null;index:idx_qb_questions_filter,priority:2"`
		Type        string `gorm:"size:16;not null"`
		Status      string `gorm:"size:16;not null;index:idx_qb_questions_status"`
		Version     int    `gorm:"not null"`
		LiveVersion int    `gorm:"not null;default:0"`
		RowVersion  int    `gorm:"not null;default:1"`
		Stem        string `gorm:"size:2000;not null"`
		StemHash    string `gorm:"size:32;not null;uniqueIndex:uq_qb_questions_stem"`
		Options     string `gorm:"type:text;not null"`
		Answer      string `gorm:"size:16;not null"`
		Explanation string `gorm:"type:text;not null"`
		ImageURL    string `gorm:"size:128;not null;default:''"`
		Difficulty  int    `gorm:"not null"`
		Tags        string `gorm:"size:255;not null;default:''"`
		Context     string `gorm:"size:16;not null"`
		ReviewNote  string `gorm:"size:2000;not null;default:''"`
		UpdatedBy   int64  `gorm:"not null;default:0"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type qbQuestionVersion struct {
		QuestionID  int64  `gorm:"primaryKey;autoIncrement:false"`
		Version     int    `gorm:"primaryKey;autoIncrement:false"`
		Subject     string `gorm:"size:16;not null"`
		ChapterID   int64  `gorm:"not null"`
		Type        string `gorm:"size:16;not null"`
		Stem        string `gorm:"size:2000;not null"`
		Options     string `gorm:"type:text;not null"`
		Answer      string `gorm:"size:16;not null"`
		Explanation string `gorm:"type:text;not null"`
		ImageURL    string `gorm:"size:128;not null;default:''"`
		Difficulty  int    `gorm:"not null"`
		Tags        string `gorm:"size:255;not null;default:''"`
		Context     string `gorm:"size:16;not null"`
		FrozenAt    *time.Time
		CreatedAt   time.Time
	}
	type qbImage struct {
		ID          string `gorm:"primaryKey;size:64"`
		ContentType string `gorm:"size:32;not null"`
		Width       int    `gorm:"not null"`
		Height      int    `gorm:"not null"`
		Data        []byte `gorm:"not null"`
		CreatedAt   time.Time
	}
	type qbBlueprint struct {
		ID        int64  `gorm:"primaryKey"`
		Name      string `gorm:"size:200;not null"`
		Kind      string `gorm:"size:16;not null"`
		IsDefault bool   `gorm:"not null;default:false"`
		Sections  string `gorm:"type:text;not null"`
		Version   int    `gorm:"not null;default:1"`
		CreatedAt time.Time
		UpdatedAt time.Time
	}
	type qbState struct {
		ID         int   `gorm:"primaryKey;autoIncrement:false"`
		Generation int64 `gorm:"not null"`
	}
	tables := []struct {
		name string
		row  any
	}{{"qb_chapters", &qbChapter{}}, {"qb_questions", &qbQuestion{}}, {"qb_question_versions", &qbQuestionVersion{}},
		{"qb_images", &qbImage{}}, {"qb_blueprints", &qbBlueprint{}}, {"qb_imports", &m300Import{}}, {"qb_state", &qbState{}}}
	for _, t := range tables {
		if err := tx.Table(t.name).Migrator().CreateTable(t.row); err != nil {
			return err
		}
	}
	return tx.Table("qb_state").Create(&qbState{ID: 1, Generation: 1}).Error
}
