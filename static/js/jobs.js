// Background generations: poll each unfinished job's JSON status and update its row
// (status badge, progress bar, "12/40", download link) until it is done or failed.
const POLL_MS = 2000;
const FINISHED = new Set(["done", "failed"]);
const BADGES = {
  done: "fr-badge--success",
  failed: "fr-badge--error",
  pending: "fr-badge--info",
  running: "fr-badge--info",
};

function render(row, job) {
  row.dataset.jobState = job.status;
  const badge = row.querySelector("[data-job-status]");
  if (badge) {
    badge.textContent = job.status_label;
    Object.values(BADGES).forEach((cls) => badge.classList.remove(cls));
    badge.classList.add(BADGES[job.status] || "fr-badge--info");
  }
  const bar = row.querySelector("[data-job-progress]");
  if (bar) {
    bar.max = Math.max(job.total, 1);
    bar.value = job.status === "done" ? bar.max : job.done;
  }
  const text = row.querySelector("[data-job-progress-text]");
  if (text) text.textContent = `${job.done}/${job.total}`;
  const error = row.querySelector("[data-job-error]");
  if (error && job.error) {
    error.textContent = job.error;
    error.hidden = false;
  }
  const link = row.querySelector("[data-job-download]");
  if (link && job.download_url) {
    link.href = job.download_url;
    link.hidden = false;
  }
}

async function poll(row) {
  try {
    const response = await fetch(row.dataset.jobStatusUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const job = await response.json();
    render(row, job);
    if (!FINISHED.has(job.status)) window.setTimeout(() => poll(row), POLL_MS);
  } catch {
    window.setTimeout(() => poll(row), POLL_MS * 3);
  }
}

document.querySelectorAll("[data-job-status-url]").forEach((row) => {
  if (!FINISHED.has(row.dataset.jobState)) poll(row);
});
