/*
 * The kernel backend's wait queue (src/lock/backends/kernel/wait/), for spin: that no wake-up is lost.
 *
 * The lock itself is flock(2): one holder at a time, taken by a non-blocking attempt, dropped by the kernel
 * when its holder dies. Next to it, each waiter has a ticket (a file, flock-held while its waiter lives),
 * ordered by arrival. Steps, each one system call or one atomic look at the folder:
 *   waiter   try the lock once; make its ticket visible (rename); then, in a loop: find whether no live
 *            ticket is before its own (readdir, then probe each earlier one, removing dead ones); if it is
 *            the head, try the lock; else, or if busy, sleep until its ticket is touched.
 *   holder   unlock; then touch the first live ticket (readdir, probe in order, skip and remove dead ones),
 *            or, in its turn (TURN_MS, wake.ts), owe that wake-up: it is made when the process's event loop
 *            turns, i.e. before the process sleeps in the queue or ends (at exit), or by its next release
 *            if it takes the lock again first (no waiter woken meanwhile: a barging re-lock).
 *   a head that gives up, or takes the lock, removes its ticket, then touches the first live ticket at once.
 * The real waiters also poll: the head every 40 ms (for a holder that died, or one that knows nothing of
 * the queue), the others every 2 s (for a head that died). Here a poll is spin's `timeout`: it is only
 * enabled when nothing else can move. Checked: mutual exclusion; that a poll is never what ends a stall
 * unless some process crashed - without crashes every release reaches a waiter that will act on it; and
 * that after a holder's crash a head is polling (the 40 ms poll, not a 2 s check, ends the stall). Holders
 * may crash while holding, after the promotion; taking the lock and the promotion are one step here (in
 * the code they are two system calls apart, a window a kill cannot aim at from outside).
 * The mutants show the checks can fail: -DTRY_BEFORE_TICKET (a waiter tries the lock before its ticket is
 * visible) and -DWAKE_BEFORE_UNLOCK (a holder touches the ticket before it unlocks) both lose wake-ups;
 * -DDEFERRED_PROMOTION (the next waiter is promoted a turn after the lock is taken, or not at all when the
 * release comes first) leaves no head polling after a holder dies within that turn; -DNO_EXIT_WAKE (a
 * process ends owing a turn's wake-up: no hook at exit) loses a wake-up. A process that dies owing one
 * (killed between its release and its loop turning) is a crash the head's poll ends, as a dead holder.
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
byte crashedHolding = 0; /* crashes of a process that held the lock */
bool polling[N];       /* process i sleeps as the head: it polls the lock every 40 ms */
bool owed[N];          /* process i released in its turn and owes the wake-up of the first live ticket */
byte crashedOwing = 0; /* crashes of a process that owed a wake-up, outside the queue */

/* The check and the count are one step: two processes cannot both take the last allowed crash. */
#define CRASHPOINT if :: atomic { (crashed < CRASHES) -> crashed++ }; goto crash :: skip fi
/* A crash just after the unlock: the wake-up it was to make is lost as an owed one would be. */
#define CRASHPOINT_RELEASED if :: atomic { (crashed < CRASHES) -> crashed++; owed[i] = true }; goto crash :: skip fi

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
  bool anyPolling;
  do
  :: r == ROUNDS ->
#ifndef NO_EXIT_WAKE
     /* the exit hook makes an owed wake-up */
     if :: owed[i] -> wakeFirst(); owed[i] = false :: else fi;
#endif
     break
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
        :: atomic { holder == NOBODY -> holder = i; queued[i] = false }; promote = true;
#ifndef DEFERRED_PROMOTION
           wakeFirst(); promote = false;
#endif
           goto critical
        :: atomic { holder != NOBODY -> skip }
        fi
     :: else
     fi;
sleep:
     CRASHPOINT;
     /* the loop turns before the process sleeps: an owed wake-up is made (maybe its own ticket's) */
     if :: owed[i] -> wakeFirst(); owed[i] = false :: else fi;
     polling[i] = head;
     if
     :: atomic { touched[i] -> touched[i] = false }
     :: timeout -> assert(crashed > 0); /* a poll ends the stall */
        d_step { anyPolling = false; j = 0; do :: j < N -> anyPolling = anyPolling || polling[j]; j++ :: else -> break od; j = 0 };
        assert((crashedHolding == 0 && crashedOwing == 0) || anyPolling) /* the head's 40 ms poll, not a 2 s check */
     fi;
     polling[i] = false;
     goto look;
critical:
     inside++;
     assert(inside == 1);
     /* DEFERRED_PROMOTION: the next waiter is promoted while holding, or the release comes first */
     if
     :: promote -> if :: wakeFirst() :: skip fi
     :: else
     fi;
     promote = false;
     CRASHPOINT; /* a holder may die while holding */
     inside--;
#ifdef WAKE_BEFORE_UNLOCK
     wakeFirst();
     holder = NOBODY;
#else
     holder = NOBODY;
     CRASHPOINT_RELEASED; /* killed between the unlock and the wake-up */
     if
     :: wakeFirst(); owed[i] = false /* its turn is over (or fifo): the first live waiter now */
     :: owed[i] = true               /* in its turn: owed until the loop turns or the next release */
     fi;
#endif
     r++
  od;
  goto end;
crash:
  atomic {
    alive[i] = false; polling[i] = false;
    /* Owing while queued it dies as a waiter at the queue's front would (the 2 s check's case); owing
     * outside the queue it leaves a free lock and a head asleep, as a dead holder does. */
    if :: owed[i] && !queued[i] -> crashedOwing++ :: else fi;
    owed[i] = false;
    if :: holder == i -> holder = NOBODY; inside--; crashedHolding++ :: else fi
  };
end:
  skip
}

init {
  atomic { byte k = 0; do :: k < N -> run P(k); k++ :: else -> break od }
}
