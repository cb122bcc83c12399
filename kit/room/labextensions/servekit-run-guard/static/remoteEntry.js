// servekit-run-guard: a JupyterLab extension, written by hand (no build step), that makes the
// notebook's Run commands wait until the notebook's kernel is ready.
//
// Why: "Run All" clicked in the first second or two of a team link ran while JupyterLab was
// still connecting the notebook to its kernel. Lab then started a kernel for the cells *and*
// finished its own start, swapping the first for the second: the cells ran on a kernel nobody
// listened to (nothing shown, "No Kernel | Initializing"), or their widgets were displayed on a
// connection that was then replaced (empty charts, "[anywidget] Failed to initialize model").
// Here NotebookActions.run* first await the session context's `ready` and a connected kernel
// (ceiling: CEILING_MS), then run exactly as before. A notebook already connected runs at once.
//
// Also: anywidget 0.11 gives a widget model 2 s to initialise (AbortSignal.timeout(2000)), then
// logs "[anywidget] Failed to initialize model." and never draws its view: on a loaded room
// server (a reopened notebook restoring the previous run's charts while the new ones load the
// plotly bundle) the charts stayed empty. The plugin lengthens exactly that 2 s deadline of
// the page to MODEL_DEADLINE_MS: a slow model comes up late instead of never.
//
// The file is a module federation container, as JupyterLab loads every prebuilt extension:
// `init(shareScope)` receives Lab's shared modules; `get("./extension")` returns the plugin.
(function () {
  "use strict";
  var NAME = "servekit-run-guard";
  var CEILING_MS = 120000;
  var GUARDED = ["runAll", "run", "runAndAdvance", "runAndInsert", "runAllAbove", "runAllBelow"];
  var shared = null;
  var ANYWIDGET_DEADLINE_MS = 2000;
  var MODEL_DEADLINE_MS = 60000;

  function lengthenModelDeadline() {
    var timeout = AbortSignal.timeout;
    if (typeof timeout !== "function" || timeout.servekitLengthened) return;
    var lengthened = function (ms) {
      return timeout.call(AbortSignal, ms === ANYWIDGET_DEADLINE_MS ? MODEL_DEADLINE_MS : ms);
    };
    lengthened.servekitLengthened = true;
    AbortSignal.timeout = lengthened;
  }

  function pause(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  async function kernelReady(context) {
    if (!context || context.isDisposed) return;
    var deadline = Date.now() + CEILING_MS;
    if (!context.isReady) {
      await Promise.race([context.ready, pause(CEILING_MS)]);
    }
    // a kernel being started, restarted or swapped: wait until its connection is up
    for (;;) {
      var kernel = context.session && context.session.kernel;
      if (!kernel || context.isDisposed || Date.now() > deadline) return;
      if (kernel.connectionStatus === "connected" && kernel.status !== "starting" &&
          kernel.status !== "restarting" && kernel.status !== "unknown") return;
      await pause(100);
    }
  }

  async function notebookModule() {
    var versions = (shared && shared["@jupyterlab/notebook"]) || {};
    var keys = Object.keys(versions);
    if (!keys.length) throw new Error(NAME + ": @jupyterlab/notebook is not shared");
    var factory = await versions[keys[keys.length - 1]].get();
    return factory();
  }

  var plugin = {
    id: NAME + ":plugin",
    description: "Run commands wait for the kernel; widget models get time to initialise.",
    autoStart: true,
    activate: async function () {
      lengthenModelDeadline();
      var actions = (await notebookModule()).NotebookActions;
      GUARDED.forEach(function (name) {
        var original = actions[name];
        if (typeof original !== "function" || original.servekitGuarded) return;
        var guarded = async function (notebook, sessionContext) {
          await kernelReady(sessionContext);
          return original.apply(this, arguments);
        };
        guarded.servekitGuarded = true;
        actions[name] = guarded;
      });
    },
  };

  window._JUPYTERLAB = window._JUPYTERLAB || {};
  window._JUPYTERLAB[NAME] = {
    init: function (shareScope) { shared = shareScope; },
    get: function (module) {
      if (module !== "./extension") {
        return Promise.reject(new Error(NAME + ": no module " + module));
      }
      return Promise.resolve(function () { return { __esModule: true, default: plugin }; });
    },
  };
})();
