/*
 * Ceremony Station: PKCS#11 fault-injection shim. FOR TESTS ONLY. THIS IS NOT AN HSM.
 *
 * A PKCS#11 module that forwards every call to a real module (SoftHSM2 in the tests) and, following a
 * plan file, makes chosen calls fail the way a device does: a token pulled out mid-operation, a PIN
 * that locks, a device error, a lost session, exhausted memory. It also counts what the station really
 * asked of the device (calls per function, sessions opened and closed, C_Login calls) and writes the
 * counts to a stats file after every call, so a test can prove "0 leaked sessions" and "no automatic
 * login retry" from outside the station's own bookkeeping.
 *
 * The plan file is named by the environment variable STATION_PKCS11_FAULT_PLAN and re-read on every
 * call, so one test process changes the plan between operations without reloading the module. Without
 * that variable (or without a `module` line) the shim refuses to load: it can never stand in for a
 * device by accident. It names itself in C_GetInfo and in every token's model ("FAULT SHIM").
 *
 * Plan format (docs/pkcs11-faults.md), one directive per line, '#' starts a comment:
 *   module <path>                  the real PKCS#11 library (read once, when the shim is loaded)
 *   stats <path>                   where the counts go (JSON, rewritten after every call)
 *   state removed | pin-locked     the token is out / its user PIN is locked from the start of the plan
 *   at <C_Function> <N> <action>   the Nth call of C_Function since this plan was loaded
 *   from <C_Function> <N> <action> every call of C_Function from the Nth on
 * where <action> is a CKR name or number (the call returns it without reaching the device),
 *   remove    the token is pulled out at that call (session calls then fail CKR_DEVICE_REMOVED, slot
 *             calls CKR_TOKEN_NOT_PRESENT, C_GetSlotList(present) leaves it out, its sessions are dead
 *             even after the plan changes), or
 *   pin-lock  C_Login fails CKR_PIN_LOCKED and C_GetTokenInfo reports CKF_USER_PIN_LOCKED from then on.
 * A plan whose text changes starts afresh: call numbers from 1, the token present and unlocked.
 *
 * Built by native/fault-shim/build.mjs against the PKCS#11 headers pkcs11js ships (derived from the
 * RSA Security Inc. PKCS #11 Cryptographic Token Interface (Cryptoki)): the exact ABI the binding uses.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pkcs11/pkcs11.h>

#define PLAN_ENV "STATION_PKCS11_FAULT_PLAN"
#define MAX_PLAN 16384
#define MAX_RULES 64
#define MAX_SESSIONS 1024
#define MAX_SLOTS 64

/* Every function the shim counts and can fail. The rest of the list is forwarded untouched. */
#define SHIMMED(X)                                                                                      \
  X(C_Initialize) X(C_Finalize) X(C_GetInfo) X(C_GetSlotList) X(C_GetSlotInfo) X(C_GetTokenInfo)        \
  X(C_GetMechanismList) X(C_GetMechanismInfo) X(C_InitToken) X(C_InitPIN) X(C_SetPIN) X(C_OpenSession) \
  X(C_CloseSession) X(C_CloseAllSessions) X(C_GetSessionInfo) X(C_Login) X(C_Logout) X(C_CreateObject) \
  X(C_CopyObject) X(C_DestroyObject) X(C_GetObjectSize) X(C_GetAttributeValue) X(C_SetAttributeValue)  \
  X(C_FindObjectsInit) X(C_FindObjects) X(C_FindObjectsFinal) X(C_EncryptInit) X(C_Encrypt)            \
  X(C_DecryptInit) X(C_Decrypt) X(C_DigestInit) X(C_Digest) X(C_SignInit) X(C_Sign) X(C_SignUpdate)    \
  X(C_SignFinal) X(C_VerifyInit) X(C_Verify) X(C_VerifyUpdate) X(C_VerifyFinal) X(C_GenerateKey)       \
  X(C_GenerateKeyPair) X(C_WrapKey) X(C_UnwrapKey) X(C_DeriveKey) X(C_SeedRandom) X(C_GenerateRandom)

#define AS_ENUM(name) F_##name,
#define AS_NAME(name) #name,
enum { SHIMMED(AS_ENUM) F_COUNT };
static const char *const FN_NAMES[F_COUNT] = {SHIMMED(AS_NAME)};

/* What a call addresses: the library, a slot, or a session. Removal answers differently for each. */
enum scope { SCOPE_LIBRARY, SCOPE_SLOT, SCOPE_SESSION };
enum action { ACT_RETURN, ACT_REMOVE, ACT_PIN_LOCK };

struct rule {
  int fn;
  unsigned long n;
  int from;
  enum action action;
  CK_RV rv;
};

struct session {
  CK_SESSION_HANDLE handle;
  CK_SLOT_ID slot;
  /* The token was pulled out while this session was open: it never works again, only closes. */
  int dead;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *real_library;
static CK_FUNCTION_LIST_PTR real;
static CK_FUNCTION_LIST shim;

static char plan_text[MAX_PLAN];
static size_t plan_len = (size_t)-1;
static struct stat plan_stat;
static char plan_error[256];
static char stats_path[PATH_MAX];
static char stats_open_path[PATH_MAX];
static int stats_fd = -1;
static struct rule rules[MAX_RULES];
static int rule_count;
static unsigned long generation;
static int removed, pin_locked;

static unsigned long calls[F_COUNT], plan_calls[F_COUNT], injected[F_COUNT];
static struct session sessions[MAX_SESSIONS];
static int session_count;
static CK_SLOT_ID logged_in[MAX_SLOTS];
static int logged_in_count;
static unsigned long opened, closed, closed_all, closed_by_finalize, untracked;
static unsigned long logins, logins_while_logged_in;

static const struct {
  const char *name;
  CK_RV rv;
} CKR_TABLE[] = {
    {"CKR_OK", CKR_OK},
    {"CKR_HOST_MEMORY", CKR_HOST_MEMORY},
    {"CKR_GENERAL_ERROR", CKR_GENERAL_ERROR},
    {"CKR_FUNCTION_FAILED", CKR_FUNCTION_FAILED},
    {"CKR_ARGUMENTS_BAD", CKR_ARGUMENTS_BAD},
    {"CKR_DEVICE_ERROR", CKR_DEVICE_ERROR},
    {"CKR_DEVICE_MEMORY", CKR_DEVICE_MEMORY},
    {"CKR_DEVICE_REMOVED", CKR_DEVICE_REMOVED},
    {"CKR_FUNCTION_CANCELED", CKR_FUNCTION_CANCELED},
    {"CKR_PIN_INCORRECT", CKR_PIN_INCORRECT},
    {"CKR_PIN_LOCKED", CKR_PIN_LOCKED},
    {"CKR_SESSION_CLOSED", CKR_SESSION_CLOSED},
    {"CKR_SESSION_HANDLE_INVALID", CKR_SESSION_HANDLE_INVALID},
    {"CKR_TOKEN_NOT_PRESENT", CKR_TOKEN_NOT_PRESENT},
    {"CKR_TOKEN_NOT_RECOGNIZED", CKR_TOKEN_NOT_RECOGNIZED},
    {"CKR_USER_ALREADY_LOGGED_IN", CKR_USER_ALREADY_LOGGED_IN},
    {"CKR_USER_NOT_LOGGED_IN", CKR_USER_NOT_LOGGED_IN},
    {"CKR_CRYPTOKI_NOT_INITIALIZED", CKR_CRYPTOKI_NOT_INITIALIZED},
};

/* ---- plan ------------------------------------------------------------------------------------- */

static int fn_index(const char *name) {
  for (int i = 0; i < F_COUNT; i++)
    if (strcmp(FN_NAMES[i], name) == 0) return i;
  return -1;
}

static int parse_ckr(const char *word, CK_RV *out) {
  for (size_t i = 0; i < sizeof CKR_TABLE / sizeof CKR_TABLE[0]; i++) {
    if (strcmp(CKR_TABLE[i].name, word) == 0) {
      *out = CKR_TABLE[i].rv;
      return 1;
    }
  }
  char *end;
  errno = 0;
  unsigned long v = strtoul(word, &end, 0);
  if (errno != 0 || end == word || *end != '\0') return 0;
  *out = (CK_RV)v;
  return 1;
}

static void set_error(int line, const char *what) {
  snprintf(plan_error, sizeof plan_error, "line %d: %s", line, what);
}

/* Parses plan_text into the rule table; `module_out` (may be NULL) receives the module path. */
static void parse_plan(char *module_out, size_t module_size) {
  char copy[MAX_PLAN];
  memcpy(copy, plan_text, plan_len);
  copy[plan_len] = '\0';
  rule_count = 0;
  removed = 0;
  pin_locked = 0;
  plan_error[0] = '\0';
  stats_path[0] = '\0';
  int line_no = 0;
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    line_no++;
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *words[5] = {0};
    int n = 0;
    char *wsave = NULL;
    for (char *w = strtok_r(line, " \t\r", &wsave); w; w = strtok_r(NULL, " \t\r", &wsave)) {
      if (n == 5) {
        set_error(line_no, "too many words");
        return;
      }
      words[n++] = w;
    }
    if (n == 0) continue;
    if (strcmp(words[0], "module") == 0 && n == 2) {
      if (module_out) snprintf(module_out, module_size, "%s", words[1]);
    } else if (strcmp(words[0], "stats") == 0 && n == 2) {
      snprintf(stats_path, sizeof stats_path, "%s", words[1]);
    } else if (strcmp(words[0], "state") == 0 && n == 2) {
      if (strcmp(words[1], "removed") == 0)
        removed = 1;
      else if (strcmp(words[1], "pin-locked") == 0)
        pin_locked = 1;
      else {
        set_error(line_no, "state must be removed or pin-locked");
        return;
      }
    } else if ((strcmp(words[0], "at") == 0 || strcmp(words[0], "from") == 0) && n == 4) {
      if (rule_count == MAX_RULES) {
        set_error(line_no, "too many rules");
        return;
      }
      struct rule *r = &rules[rule_count];
      r->fn = fn_index(words[1]);
      if (r->fn < 0) {
        set_error(line_no, "unknown or unshimmed function");
        return;
      }
      char *end;
      r->n = strtoul(words[2], &end, 10);
      if (*end != '\0' || r->n == 0) {
        set_error(line_no, "the call number must be 1 or more");
        return;
      }
      r->from = words[0][0] == 'f';
      r->rv = CKR_OK;
      if (strcmp(words[3], "remove") == 0)
        r->action = ACT_REMOVE;
      else if (strcmp(words[3], "pin-lock") == 0)
        r->action = ACT_PIN_LOCK;
      else if (parse_ckr(words[3], &r->rv))
        r->action = ACT_RETURN;
      else {
        set_error(line_no, "the action must be a CKR name or number, remove or pin-lock");
        return;
      }
      rule_count++;
    } else {
      set_error(line_no, "unknown directive");
      return;
    }
  }
}

/*
 * Reads the plan named by the environment; a changed text starts a new plan. Caller holds `mu`. The
 * file is only read when its inode, size or time changed (plans are written to a new name and renamed).
 */
static void reload_plan(void) {
  const char *path = getenv(PLAN_ENV);
  if (!path) return;
  struct stat st;
  if (stat(path, &st) != 0) return;
  if (plan_len != (size_t)-1 && st.st_ino == plan_stat.st_ino && st.st_size == plan_stat.st_size &&
      st.st_mtim.tv_sec == plan_stat.st_mtim.tv_sec && st.st_mtim.tv_nsec == plan_stat.st_mtim.tv_nsec)
    return;
  plan_stat = st;
  FILE *f = fopen(path, "rb");
  if (!f) return; /* mid-replace or gone: keep the plan we have */
  char text[MAX_PLAN];
  size_t len = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  if (len == plan_len && memcmp(text, plan_text, len) == 0) return;
  memcpy(plan_text, text, len);
  plan_len = len;
  generation++;
  memset(plan_calls, 0, sizeof plan_calls);
  parse_plan(NULL, 0);
}

/* ---- stats ------------------------------------------------------------------------------------ */

/*
 * Rewrites the stats file in place (one write and a truncate, a few microseconds: the shim writes it
 * after every call). Readers read it between operations, when no call is in flight.
 */
static void write_stats(void) {
  if (stats_path[0] == '\0') return;
  if (stats_fd < 0 || strcmp(stats_open_path, stats_path) != 0) {
    if (stats_fd >= 0) close(stats_fd);
    stats_fd = open(stats_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (stats_fd < 0) return;
    snprintf(stats_open_path, sizeof stats_open_path, "%s", stats_path);
  }
  char buf[8192];
  FILE *f = fmemopen(buf, sizeof buf, "w");
  if (!f) return;
  fprintf(f, "{\"generation\":%lu,\"planError\":", generation);
  if (plan_error[0])
    fprintf(f, "\"%s\"", plan_error);
  else
    fputs("null", f);
  fprintf(f, ",\"removed\":%s,\"pinLocked\":%s", removed ? "true" : "false", pin_locked ? "true" : "false");
  const unsigned long *tables[2] = {calls, injected};
  const char *names[2] = {"calls", "injected"};
  for (int t = 0; t < 2; t++) {
    fprintf(f, ",\"%s\":{", names[t]);
    int first = 1;
    for (int i = 0; i < F_COUNT; i++) {
      if (tables[t][i] == 0) continue;
      fprintf(f, "%s\"%s\":%lu", first ? "" : ",", FN_NAMES[i], tables[t][i]);
      first = 0;
    }
    fputc('}', f);
  }
  fprintf(f,
          ",\"sessions\":{\"open\":%d,\"opened\":%lu,\"closed\":%lu,\"closedAll\":%lu,"
          "\"closedByFinalize\":%lu,\"untracked\":%lu}",
          session_count, opened, closed, closed_all, closed_by_finalize, untracked);
  fprintf(f, ",\"logins\":%lu,\"loginsWhileLoggedIn\":%lu,\"loggedIn\":%d}\n", logins,
          logins_while_logged_in, logged_in_count);
  long len = ftell(f);
  if (fclose(f) != 0 || len <= 0 || (size_t)len >= sizeof buf) return;
  if (pwrite(stats_fd, buf, (size_t)len, 0) == len) {
    if (ftruncate(stats_fd, len) != 0) return;
  }
}

/* ---- session and login bookkeeping (caller holds `mu`) ---------------------------------------- */

static struct session *find_session(CK_SESSION_HANDLE h) {
  for (int i = 0; i < session_count; i++)
    if (sessions[i].handle == h) return &sessions[i];
  return NULL;
}

static void drop_session(struct session *s) { *s = sessions[--session_count]; }

static int is_logged_in(CK_SLOT_ID slot) {
  for (int i = 0; i < logged_in_count; i++)
    if (logged_in[i] == slot) return 1;
  return 0;
}

static void set_logged_out(CK_SLOT_ID slot) {
  for (int i = 0; i < logged_in_count; i++) {
    if (logged_in[i] == slot) {
      logged_in[i] = logged_in[--logged_in_count];
      return;
    }
  }
}

/* PKCS#11: the login state of a token ends with the last session the application has on it. */
static void logout_if_last(CK_SLOT_ID slot) {
  for (int i = 0; i < session_count; i++)
    if (sessions[i].slot == slot && !sessions[i].dead) return;
  set_logged_out(slot);
}

static void pull_token(void) {
  removed = 1;
  for (int i = 0; i < session_count; i++) sessions[i].dead = 1;
  logged_in_count = 0;
}

/* ---- the decision made before every call ------------------------------------------------------ */

/*
 * Counts the call and decides whether it fails. Returns 1 with *rv set when the call must return *rv
 * without reaching the device; 0 to forward it.
 */
static int before(int fn, enum scope scope, CK_ULONG target, CK_RV *rv) {
  pthread_mutex_lock(&mu);
  reload_plan();
  calls[fn]++;
  plan_calls[fn]++;
  int inject = 0;
  if (plan_error[0]) {
    *rv = CKR_GENERAL_ERROR;
    inject = 1;
  }
  for (int i = 0; !inject && i < rule_count; i++) {
    const struct rule *r = &rules[i];
    if (r->fn != fn || (r->from ? plan_calls[fn] < r->n : plan_calls[fn] != r->n)) continue;
    if (r->action == ACT_RETURN) {
      *rv = r->rv;
      inject = 1;
    } else if (r->action == ACT_REMOVE) {
      pull_token();
    } else {
      pin_locked = 1;
    }
  }
  if (!inject && scope == SCOPE_SESSION) {
    const struct session *s = find_session((CK_SESSION_HANDLE)target);
    if (removed) {
      *rv = CKR_DEVICE_REMOVED;
      inject = 1;
    } else if (s && s->dead) {
      *rv = CKR_SESSION_HANDLE_INVALID;
      inject = 1;
    }
  } else if (!inject && scope == SCOPE_SLOT && removed) {
    *rv = CKR_TOKEN_NOT_PRESENT;
    inject = 1;
  }
  if (!inject && pin_locked && fn == F_C_Login) {
    *rv = CKR_PIN_LOCKED;
    inject = 1;
  }
  if (inject) {
    injected[fn]++;
    write_stats();
  }
  pthread_mutex_unlock(&mu);
  return inject;
}

static CK_RV after(CK_RV rv) {
  pthread_mutex_lock(&mu);
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

/* ---- wrappers --------------------------------------------------------------------------------- */

#define SESSION_CALL(NAME, PARAMS, ARGS)                                   \
  static CK_RV shim_##NAME PARAMS {                                        \
    CK_RV rv;                                                              \
    if (before(F_##NAME, SCOPE_SESSION, hSession, &rv)) return rv;         \
    return after(real->NAME ARGS);                                         \
  }
#define SLOT_CALL(NAME, PARAMS, ARGS)                                      \
  static CK_RV shim_##NAME PARAMS {                                        \
    CK_RV rv;                                                              \
    if (before(F_##NAME, SCOPE_SLOT, slotID, &rv)) return rv;              \
    return after(real->NAME ARGS);                                         \
  }

SLOT_CALL(C_GetMechanismList, (CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count),
          (slotID, list, count))
SLOT_CALL(C_GetMechanismInfo, (CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info),
          (slotID, type, info))
SLOT_CALL(C_InitToken, (CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pin, CK_ULONG pinLen, CK_UTF8CHAR_PTR label),
          (slotID, pin, pinLen, label))

SESSION_CALL(C_InitPIN, (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pin, CK_ULONG len), (hSession, pin, len))
SESSION_CALL(C_SetPIN,
             (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR o, CK_ULONG ol, CK_UTF8CHAR_PTR n, CK_ULONG nl),
             (hSession, o, ol, n, nl))
SESSION_CALL(C_GetSessionInfo, (CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR info), (hSession, info))
SESSION_CALL(C_CreateObject,
             (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o),
             (hSession, t, n, o))
SESSION_CALL(C_CopyObject,
             (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n,
              CK_OBJECT_HANDLE_PTR o),
             (hSession, h, t, n, o))
SESSION_CALL(C_DestroyObject, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE h), (hSession, h))
SESSION_CALL(C_GetObjectSize, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE h, CK_ULONG_PTR size),
             (hSession, h, size))
SESSION_CALL(C_GetAttributeValue,
             (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n),
             (hSession, h, t, n))
SESSION_CALL(C_SetAttributeValue,
             (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n),
             (hSession, h, t, n))
SESSION_CALL(C_FindObjectsInit, (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR t, CK_ULONG n),
             (hSession, t, n))
SESSION_CALL(C_FindObjects,
             (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR o, CK_ULONG max, CK_ULONG_PTR count),
             (hSession, o, max, count))
SESSION_CALL(C_FindObjectsFinal, (CK_SESSION_HANDLE hSession), (hSession))
SESSION_CALL(C_EncryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k),
             (hSession, m, k))
SESSION_CALL(C_Encrypt,
             (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol),
             (hSession, d, dl, o, ol))
SESSION_CALL(C_DecryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k),
             (hSession, m, k))
SESSION_CALL(C_Decrypt,
             (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol),
             (hSession, d, dl, o, ol))
SESSION_CALL(C_DigestInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m), (hSession, m))
SESSION_CALL(C_Digest,
             (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR o, CK_ULONG_PTR ol),
             (hSession, d, dl, o, ol))
SESSION_CALL(C_SignInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k),
             (hSession, m, k))
SESSION_CALL(C_Sign,
             (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG_PTR sl),
             (hSession, d, dl, s, sl))
SESSION_CALL(C_SignUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl), (hSession, d, dl))
SESSION_CALL(C_SignFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR s, CK_ULONG_PTR sl), (hSession, s, sl))
SESSION_CALL(C_VerifyInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k),
             (hSession, m, k))
SESSION_CALL(C_Verify,
             (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl, CK_BYTE_PTR s, CK_ULONG sl),
             (hSession, d, dl, s, sl))
SESSION_CALL(C_VerifyUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR d, CK_ULONG dl), (hSession, d, dl))
SESSION_CALL(C_VerifyFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR s, CK_ULONG sl), (hSession, s, sl))
SESSION_CALL(C_GenerateKey,
             (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n,
              CK_OBJECT_HANDLE_PTR k),
             (hSession, m, t, n, k))
SESSION_CALL(C_GenerateKeyPair,
             (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pub, CK_ULONG pubN,
              CK_ATTRIBUTE_PTR priv, CK_ULONG privN, CK_OBJECT_HANDLE_PTR pubK, CK_OBJECT_HANDLE_PTR privK),
             (hSession, m, pub, pubN, priv, privN, pubK, privK))
SESSION_CALL(C_WrapKey,
             (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k,
              CK_BYTE_PTR o, CK_ULONG_PTR ol),
             (hSession, m, w, k, o, ol))
SESSION_CALL(C_UnwrapKey,
             (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w,
              CK_ULONG wl, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k),
             (hSession, m, u, w, wl, t, n, k))
SESSION_CALL(C_DeriveKey,
             (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t,
              CK_ULONG n, CK_OBJECT_HANDLE_PTR k),
             (hSession, m, b, t, n, k))
SESSION_CALL(C_SeedRandom, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR s, CK_ULONG sl), (hSession, s, sl))
SESSION_CALL(C_GenerateRandom, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR r, CK_ULONG rl), (hSession, r, rl))

static void pad_copy(CK_UTF8CHAR *dst, size_t size, const char *text) {
  memset(dst, ' ', size);
  size_t n = strlen(text);
  memcpy(dst, text, n < size ? n : size);
}

static CK_RV shim_C_Initialize(CK_VOID_PTR args) {
  CK_RV rv;
  if (before(F_C_Initialize, SCOPE_LIBRARY, 0, &rv)) return rv;
  return after(real->C_Initialize(args));
}

static CK_RV shim_C_Finalize(CK_VOID_PTR reserved) {
  CK_RV rv;
  if (before(F_C_Finalize, SCOPE_LIBRARY, 0, &rv)) return rv;
  rv = real->C_Finalize(reserved);
  pthread_mutex_lock(&mu);
  if (rv == CKR_OK) {
    /* Sessions still open here were never closed by the application: the stats keep that count. */
    closed_by_finalize += (unsigned long)session_count;
    session_count = 0;
    logged_in_count = 0;
  }
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

static CK_RV shim_C_GetInfo(CK_INFO_PTR info) {
  CK_RV rv;
  if (before(F_C_GetInfo, SCOPE_LIBRARY, 0, &rv)) return rv;
  rv = real->C_GetInfo(info);
  if (rv == CKR_OK && info) {
    pad_copy(info->manufacturerID, sizeof info->manufacturerID, "Ceremony Station FAULT SHIM");
    pad_copy(info->libraryDescription, sizeof info->libraryDescription, "TEST ONLY - NOT AN HSM");
  }
  return after(rv);
}

static CK_RV shim_C_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
  CK_RV rv;
  if (before(F_C_GetSlotList, SCOPE_LIBRARY, 0, &rv)) return rv;
  pthread_mutex_lock(&mu);
  int gone = removed && present;
  if (gone) injected[F_C_GetSlotList]++;
  pthread_mutex_unlock(&mu);
  if (gone) {
    if (!count) return after(CKR_ARGUMENTS_BAD);
    *count = 0;
    return after(CKR_OK);
  }
  return after(real->C_GetSlotList(present, list, count));
}

static CK_RV shim_C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR info) {
  CK_RV rv;
  /* The slot stays when its token is pulled out; it only stops saying a token is present. */
  if (before(F_C_GetSlotInfo, SCOPE_LIBRARY, slotID, &rv)) return rv;
  rv = real->C_GetSlotInfo(slotID, info);
  pthread_mutex_lock(&mu);
  if (rv == CKR_OK && info && removed) info->flags &= ~(CK_FLAGS)CKF_TOKEN_PRESENT;
  pthread_mutex_unlock(&mu);
  return after(rv);
}

static CK_RV shim_C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR info) {
  CK_RV rv;
  if (before(F_C_GetTokenInfo, SCOPE_SLOT, slotID, &rv)) return rv;
  rv = real->C_GetTokenInfo(slotID, info);
  if (rv == CKR_OK && info) {
    pad_copy(info->model, sizeof info->model, "FAULT SHIM");
    pthread_mutex_lock(&mu);
    if (pin_locked) {
      info->flags |= CKF_USER_PIN_LOCKED;
      injected[F_C_GetTokenInfo]++;
    }
    pthread_mutex_unlock(&mu);
  }
  return after(rv);
}

static CK_RV shim_C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                                CK_SESSION_HANDLE_PTR out) {
  CK_RV rv;
  if (before(F_C_OpenSession, SCOPE_SLOT, slotID, &rv)) return rv;
  rv = real->C_OpenSession(slotID, flags, app, notify, out);
  pthread_mutex_lock(&mu);
  if (rv == CKR_OK && out) {
    opened++;
    if (session_count < MAX_SESSIONS)
      sessions[session_count++] = (struct session){.handle = *out, .slot = slotID, .dead = 0};
    else
      untracked++;
  }
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

static CK_RV shim_C_CloseSession(CK_SESSION_HANDLE hSession) {
  CK_RV rv;
  pthread_mutex_lock(&mu);
  struct session *s = find_session(hSession);
  int dead = s && s->dead;
  pthread_mutex_unlock(&mu);
  if (dead) {
    /* A session of a pulled token: the device forgot it, the shim frees the real one behind it. */
    pthread_mutex_lock(&mu);
    reload_plan();
    calls[F_C_CloseSession]++;
    plan_calls[F_C_CloseSession]++;
    pthread_mutex_unlock(&mu);
    CK_RV real_rv = real->C_CloseSession(hSession);
    (void)real_rv;
    pthread_mutex_lock(&mu);
    s = find_session(hSession);
    if (s) {
      drop_session(s);
      closed++;
    }
    rv = removed ? CKR_DEVICE_REMOVED : CKR_SESSION_HANDLE_INVALID;
    write_stats();
    pthread_mutex_unlock(&mu);
    return rv;
  }
  if (before(F_C_CloseSession, SCOPE_SESSION, hSession, &rv)) return rv;
  rv = real->C_CloseSession(hSession);
  pthread_mutex_lock(&mu);
  s = find_session(hSession);
  if (rv == CKR_OK && s) {
    CK_SLOT_ID slot = s->slot;
    drop_session(s);
    closed++;
    logout_if_last(slot);
  }
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

static CK_RV shim_C_CloseAllSessions(CK_SLOT_ID slotID) {
  CK_RV rv;
  /* Library scope: closing what is left must work even on a pulled token (it frees the dead ones). */
  if (before(F_C_CloseAllSessions, SCOPE_LIBRARY, slotID, &rv)) return rv;
  rv = real->C_CloseAllSessions(slotID);
  pthread_mutex_lock(&mu);
  if (rv == CKR_OK) {
    for (int i = session_count - 1; i >= 0; i--) {
      if (sessions[i].slot == slotID) {
        drop_session(&sessions[i]);
        closed_all++;
      }
    }
    set_logged_out(slotID);
  }
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

static CK_RV shim_C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len) {
  CK_RV rv;
  pthread_mutex_lock(&mu);
  logins++;
  const struct session *s = find_session(hSession);
  if (s && is_logged_in(s->slot)) logins_while_logged_in++;
  pthread_mutex_unlock(&mu);
  if (before(F_C_Login, SCOPE_SESSION, hSession, &rv)) return rv;
  rv = real->C_Login(hSession, user, pin, len);
  pthread_mutex_lock(&mu);
  s = find_session(hSession);
  if (rv == CKR_OK && s && !is_logged_in(s->slot) && logged_in_count < MAX_SLOTS)
    logged_in[logged_in_count++] = s->slot;
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

static CK_RV shim_C_Logout(CK_SESSION_HANDLE hSession) {
  CK_RV rv;
  if (before(F_C_Logout, SCOPE_SESSION, hSession, &rv)) return rv;
  rv = real->C_Logout(hSession);
  pthread_mutex_lock(&mu);
  const struct session *s = find_session(hSession);
  if (rv == CKR_OK && s) set_logged_out(s->slot);
  write_stats();
  pthread_mutex_unlock(&mu);
  return rv;
}

/* ---- loading ---------------------------------------------------------------------------------- */

static CK_RV load_real(void) {
  const char *path = getenv(PLAN_ENV);
  if (!path) {
    fprintf(stderr, "pkcs11-fault-shim: %s is not set: this is a test shim, not an HSM\n", PLAN_ENV);
    return CKR_GENERAL_ERROR;
  }
  reload_plan();
  char module[PATH_MAX] = "";
  if (plan_len != (size_t)-1) parse_plan(module, sizeof module);
  if (module[0] == '\0' || plan_error[0]) {
    fprintf(stderr, "pkcs11-fault-shim: the plan %s names no real module (or is invalid)\n", path);
    return CKR_GENERAL_ERROR;
  }
  void *lib = dlopen(module, RTLD_NOW | RTLD_LOCAL);
  if (!lib) return CKR_GENERAL_ERROR;
  CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
  CK_FUNCTION_LIST_PTR list = NULL;
  if (!get || get(&list) != CKR_OK || !list) {
    dlclose(lib);
    return CKR_GENERAL_ERROR;
  }
  real_library = lib;
  real = list;
  shim = *list;
#define OVERRIDE(name) shim.name = shim_##name;
  SHIMMED(OVERRIDE)
#undef OVERRIDE
  shim.C_GetFunctionList = C_GetFunctionList;
  return CKR_OK;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR out) {
  if (!out) return CKR_ARGUMENTS_BAD;
  pthread_mutex_lock(&mu);
  CK_RV rv = real ? CKR_OK : load_real();
  pthread_mutex_unlock(&mu);
  if (rv != CKR_OK) return rv;
  *out = &shim;
  return CKR_OK;
}

__attribute__((destructor)) static void unload_real(void) {
  if (stats_fd >= 0) close(stats_fd);
  if (real_library) dlclose(real_library);
}
