// Package notifykv is the Redis Streams side of the notification queue:
// one stream per topic, one consumer group ("workers") per stream. Each
// entry carries only the outbox id; the database row is the truth.
package notifykv

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"taxiexam/internal/notify"
	"taxiexam/internal/platform/kv"
)

// Group is the consumer group every node joins.
const Group = "workers"

// maxLen bounds a stream (approximate trimming). Acknowledged entries are
// deleted at once, so a stream only holds waiting and in-flight entries; an
// entry trimmed away is re-queued from the database by the relay's sweep.
const maxLen = 1_000_000

// Queue implements notify.Queue.
type Queue struct{ r *kv.Redis }

// New returns the queue.
func New(r *kv.Redis) *Queue { return &Queue{r: r} }

var _ notify.Queue = (*Queue)(nil)

// Stream is the key of a topic's stream.
func (q *Queue) Stream(topic string) string { return q.r.Key("notify", "stream", topic) }

func (q *Queue) EnsureGroup(ctx context.Context, topic string) error {
	err := q.r.XGroupCreateMkStream(ctx, q.Stream(topic), Group, "0").Err()
	if err != nil && strings.Contains(err.Error(), "BUSYGROUP") {
		return nil
	}
	return err
}

func (q *Queue) Add(ctx context.Context, topic string, ids []int64) ([]string, error) {
	stream := q.Stream(topic)
	cmds, err := q.r.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ids {
			p.XAdd(ctx, &redis.XAddArgs{Stream: stream, MaxLen: maxLen, Approx: true, Values: []any{"id", strconv.FormatInt(id, 10)}})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cmds))
	for i, c := range cmds {
		out[i] = c.(*redis.StringCmd).Val()
	}
	return out, nil
}

func isNoGroup(err error) bool { return err != nil && strings.HasPrefix(err.Error(), "NOGROUP") }

func (q *Queue) Read(ctx context.Context, topic, consumer string, count int, block time.Duration) ([]notify.Delivery, error) {
	args := &redis.XReadGroupArgs{Group: Group, Consumer: consumer, Streams: []string{q.Stream(topic), ">"}, Count: int64(count), Block: block}
	res, err := q.r.XReadGroup(ctx, args).Result()
	if isNoGroup(err) {
		// Redis lost the stream (restart, failover): make it again and go on;
		// the relay's sweep re-queues what was in it.
		if err := q.EnsureGroup(ctx, topic); err != nil {
			return nil, err
		}
		res, err = q.r.XReadGroup(ctx, args).Result()
	}
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []notify.Delivery
	for _, s := range res {
		out = append(out, deliveries(s.Messages)...)
	}
	return out, nil
}

func (q *Queue) Reclaim(ctx context.Context, topic, consumer string, minIdle time.Duration, count int) ([]notify.Delivery, error) {
	msgs, _, err := q.r.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: q.Stream(topic), Group: Group, Consumer: consumer, MinIdle: minIdle, Start: "0-0", Count: int64(count)}).Result()
	if isNoGroup(err) || errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return deliveries(msgs), nil
}

func deliveries(msgs []redis.XMessage) []notify.Delivery {
	out := make([]notify.Delivery, 0, len(msgs))
	for _, m := range msgs {
		d := notify.Delivery{EntryID: m.ID}
		if v, ok := m.Values["id"].(string); ok {
			d.MessageID, _ = strconv.ParseInt(v, 10, 64)
		}
		out = append(out, d) // an entry without an id is acked and dropped
	}
	return out
}

func (q *Queue) Ack(ctx context.Context, topic string, entryIDs []string) error {
	if len(entryIDs) == 0 {
		return nil
	}
	stream := q.Stream(topic)
	_, err := q.r.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, stream, Group, entryIDs...)
		p.XDel(ctx, stream, entryIDs...)
		return nil
	})
	return err
}

func (q *Queue) Alive(ctx context.Context, topic, entryID string) (bool, error) {
	res, err := q.r.XRangeN(ctx, q.Stream(topic), entryID, entryID, 1).Result()
	if err != nil {
		return false, err
	}
	return len(res) == 1, nil
}

func (q *Queue) Depth(ctx context.Context, topic string) (int64, int64, error) {
	stream := q.Stream(topic)
	n, err := q.r.XLen(ctx, stream).Result()
	if err != nil {
		return 0, 0, err
	}
	if n == 0 {
		return 0, 0, nil
	}
	p, err := q.r.XPending(ctx, stream, Group).Result()
	if isNoGroup(err) || errors.Is(err, redis.Nil) {
		return n, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	return n, p.Count, nil
}
