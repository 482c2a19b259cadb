/*
 * The lease backend's protocol (docs/lease-protocol.md), for spin: mutual exclusion with crashes and
 * arbitrary interleavings, any number of waiters taking over a stale marker at once.
 *
 * The filesystem is the marker folder L: whether it exists and which token files it holds (a bit mask).
 * Each step below is one system call, atomic as POSIX makes it:
 *   install   rename(tmp, L)   succeeds only when L is missing or empty (tmp holds our token file)
 *   unlink    unlink(L/<t>)    removes that token file only if it is there (compare-and-delete)
 *   rmdir     rmdir(L)         removes L only if it is empty
 * A process may crash before any step (then its token is dead forever, as its pid + start time are) and
 * come back as a new incarnation with a new token (pid reuse). A waiter that reads the marker may act on
 * what it read much later. "Stale" is judged only for a dead owner: on the same host the pid + start-time
 * check decides it; across hosts the lease's timing assumption (a live holder renews before it expires,
 * or learns it lost the lock) is what makes "expired" mean "dead" - see the document.
 *
 * Checked: at most one live process inside the critical section, a live holder's token file still there
 * when it releases (asserts), no invalid end state. With -DNAIVE the takeover removes whatever marker is
 * there (as proper-lockfile and lockfile do): spin then finds two holders at once, so the check can fail.
 */

#ifndef N
#define N 3 /* processes */
#endif
#ifndef INC
#define INC 2 /* incarnations of each (crash, restart with the same pid) */
#endif
#ifndef ROUNDS
#define ROUNDS 2 /* critical sections per incarnation */
#endif

#define NOTOKEN 255

bool exists = false; /* L is there */
byte content = 0;    /* token files in L: bit t for token t (N * INC <= 8) */
bool dead[N * INC];  /* the owner of token t has crashed */
byte inside = 0;     /* live processes in the critical section */

/* Crash here, or go on. */
#define CRASHPOINT if :: goto crash :: skip fi

proctype P(byte i) {
  byte k = 0;       /* incarnation */
  byte t;           /* our token */
  byte r;           /* rounds done */
  byte seen;        /* what a read of L returned */
  byte owner;       /* the token found in L */
  bool cs = false;  /* this incarnation is in the critical section */

incarnation:
  t = i * INC + k;
  r = 0;
acquire:
  CRASHPOINT;
  /* rename(tmp, L): one atomic step */
  if
  :: atomic { (!exists || content == 0) -> exists = true; content = 1 << t; cs = true; inside++ };
     goto critical
  :: atomic { else -> skip };
     CRASHPOINT;
     /* after a failed install: rmdir(L), which only removes an empty L (lease.ts does it for Windows) */
     atomic { if :: exists && content == 0 -> exists = false :: else -> skip fi }
  fi;
  CRASHPOINT;
  /* readdir(L) + read the owner record: a snapshot, possibly outdated when acted upon */
  seen = content;
  if
  :: seen == 0 -> goto acquire /* released meanwhile */
  :: else -> skip
  fi;
  /* exactly one token file in a marker of this protocol */
  owner = 0;
  do
  :: owner < N * INC && (seen & (1 << owner)) == 0 -> owner++
  :: owner < N * INC && (seen & (1 << owner)) != 0 -> break
  od;
  assert(seen == (1 << owner));
  CRASHPOINT;
  /* stale? (pid dead with the same start time, or lease expired) */
  if
  :: dead[owner] -> skip
  :: else -> goto acquire /* held by a live process: wait and retry */
  fi;
  CRASHPOINT;
#ifdef NAIVE
  /* What proper-lockfile and lockfile do: remove whatever marker is there now (rmdir / unlink of L) */
  atomic { exists = false; content = 0 };
#else
  /* unlink(L/<owner>): removes it only if that very token file is still there */
  atomic { if :: (content & (1 << owner)) != 0 -> content = content & ~(1 << owner) :: else -> skip fi };
#endif
  CRASHPOINT;
  /* rmdir(L), best effort (install also works on an empty L) */
  atomic { if :: exists && content == 0 -> exists = false :: else -> skip fi };
  goto acquire;

critical:
  assert(inside == 1);
  CRASHPOINT;
  /* release: unlink(L/<t>), then rmdir(L) */
  atomic {
    cs = false;
    inside--;
    /* nobody else ever removes a live holder's token file */
    assert((content & (1 << t)) != 0);
    content = content & ~(1 << t)
  };
  CRASHPOINT;
  atomic { if :: exists && content == 0 -> exists = false :: else -> skip fi };
  r++;
  if
  :: r < ROUNDS -> goto acquire
  :: else -> goto done
  fi;

crash:
  atomic {
    dead[t] = true;
    if :: cs -> cs = false; inside-- :: else -> skip fi
  };
  k++;
  if
  :: k < INC -> goto incarnation
  :: else -> skip
  fi;
done:
  skip
}

init {
  byte i;
  atomic {
    for (i : 0 .. N - 1) { run P(i) }
  }
}
