/*
 * The kernel backend's wait queue (src/lock/backends/kernel/wait/), for spin: that no wake-up is lost.
 *
 * The lock itself is flock(2): one holder at a time, taken by a non-blocking attempt, dropped by the kernel
 * when its holder dies. Next to it, each waiter has a ticket (a file, flock-held while its waiter lives),
 * ordered by arrival. Steps, each one system call or one atomic look at the folder:
 *   waiter   try the lock once; make its ticket visible (rename); then, in a loop: find whether no live
 *            ticket is before its own (readdir, then probe each earlier one, removing dead ones); if it is
 *            the head, try the lock; else, or if busy, sleep until its ticket is touched.
 *   holder   unlock; then touch the first live ticket (readdir, probe in order, skip and remove dead ones).
 *   a head that gives up removes its ticket, then touches the first live ticket; a head that takes the lock
 *            removes its ticket and touches the first live one a turn later, or not at all when its
 *            release comes first (the release touches it then): both are modelled (`promote`).
 * The real waiters also poll: the head every 40 ms (for a holder that died, or one that knows nothing of
 * the queue), the others once a second (for a head that died). Here a poll is spin's `timeout`: it is only
 * enabled when nothing else can move. Checked: mutual exclusion, and that a poll is never what ends a
 * stall unless some process crashed - without crashes every release reaches a waiter that will act on it.
 * The mutants show the check can fail: -DTRY_BEFORE_TICKET (a waiter tries the lock before its ticket is
 * visible) and -DWAKE_BEFORE_UNLOCK (a holder touches the ticket before it unlocks) both lose wake-ups.
 */

#ifndef N
#define N 3 /* processes */
#endif
#ifndef ROUNDS
#define ROUNDS 2 /* critical sections per process */
#endif
#ifndef CRASHES
#define CRASHES 0 /* how many processes may crash */
#endif

#define NOBODY 255

byte holder = NOBODY;  /* who holds the flock */
bool queued[N];        /* the ticket of process i is in the folder */
bool alive[N];         /* its flock is held (its process lives) */
byte seq[N];           /* arrival order of its ticket */
byte nextSeq = 0;
bool touched[N];       /* its ticket was touched since it last looked */
byte inside = 0;
byte crashed = 0;

#define CRASHPOINT if :: (crashed < CRASHES) -> goto crash :: skip fi

/* The first live ticket in arrival order before `limit` (or any, with limit 255), dead ones removed on
 * the way; `found` is NOBODY when there is none. The folder is read once (a snapshot); each probe is a
 * separate step, and a ticket can leave between the two. */
inline firstLive(limit, found) {
  snapshot = 0;
  d_step { j = 0; do :: j < N -> if :: queued[j] -> snapshot = snapshot | (1 << j) :: else fi; j++ :: else -> break od; j = 0 }
  found = NOBODY;
  do
  :: snapshot == 0 -> break
  :: else ->
     /* the earliest ticket of the snapshot */
     d_step {
       best = NOBODY; j = 0;
       do
       :: j < N -> if :: (snapshot & (1 << j)) && (best == NOBODY || seq[j] < seq[best]) -> best = j :: else fi; j++
       :: else -> break
       od;
       snapshot = snapshot & ~(1 << best); j = 0
     }
     if
     :: seq[best] >= limit -> break
     :: else
     fi;
     if
     :: atomic { queued[best] && alive[best] -> found = best }; break
     :: atomic { queued[best] && !alive[best] -> queued[best] = false } /* a dead waiter's ticket */
     :: atomic { !queued[best] -> skip } /* it left meanwhile */
     fi
  od
}

inline wakeFirst() {
  firstLive(255, next);
  if :: next != NOBODY -> touched[next] = true :: else fi
}

proctype P(byte i) {
  byte r = 0;
  byte j, best, next, snapshot;
  bool head;
  bool promote = false;
  do
  :: r == ROUNDS -> break
  :: else ->
     /* the first attempt; a process that just handed the lock off may hold back (skip) */
     if
     :: atomic { holder == NOBODY -> holder = i }; goto critical
     :: skip
     fi;
#ifdef TRY_BEFORE_TICKET
     /* the mutant's order: try, then make the ticket visible, then sleep */
     if
     :: atomic { holder == NOBODY -> holder = i }; goto critical
     :: atomic { holder != NOBODY -> skip }
     fi;
     atomic { seq[i] = nextSeq; nextSeq++; touched[i] = false; alive[i] = true; queued[i] = true };
     head = false;
     goto sleep;
#endif
     atomic { seq[i] = nextSeq; nextSeq++; touched[i] = false; alive[i] = true; queued[i] = true };
     head = false;
look:
     CRASHPOINT;
     if
     :: !head -> firstLive(seq[i], next); head = (next == NOBODY)
     :: else
     fi;
     if
     :: head ->
        if
        :: atomic { holder == NOBODY -> holder = i; queued[i] = false }; promote = true; goto critical
        :: atomic { holder != NOBODY -> skip }
        fi
     :: else
     fi;
sleep:
     CRASHPOINT;
     if
     :: atomic { touched[i] -> touched[i] = false }
     :: timeout -> assert(crashed > 0) /* a poll ends the stall */
     fi;
     goto look;
critical:
     inside++;
     assert(inside == 1);
     /* the deferred promotion of the next waiter: done while holding, or cancelled by the release */
     if
     :: promote -> if :: wakeFirst() :: skip fi
     :: else
     fi;
     promote = false;
     inside--;
#ifdef WAKE_BEFORE_UNLOCK
     wakeFirst();
     holder = NOBODY;
#else
     holder = NOBODY;
     wakeFirst();
#endif
     r++
  od;
  goto end;
crash:
  atomic { alive[i] = false; crashed++; if :: holder == i -> holder = NOBODY :: else fi };
end:
  skip
}

init {
  atomic { byte k = 0; do :: k < N -> run P(k); k++ :: else -> break od }
}
