/*
 * process.h - claim, parse and store received documents (DESIGN.md,
 * "The durability contract", point 2).
 */
#ifndef PARS_PROCESS_H
#define PARS_PROCESS_H

struct db;
struct hub;

struct process_stats {
	int stored;	 /* documents stored */
	int quarantined; /* documents quarantined */
	int referrals;	 /* referrals written */
};

/*
 * Claims up to batch received documents (only document only_id when it
 * is > 0) and finishes each, all in one transaction.  Adds to *st.
 * Returns the number of documents finished, 0 when none was waiting, or
 * -1 when the database failed and nothing was committed (reconnect and
 * call again: the documents are still waiting).
 */
int process_batch(struct hub *hub, struct db *db, int batch,
    long long only_id, struct process_stats *st);

#endif
