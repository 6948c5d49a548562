// One Matrix room's timeline, drawn by Hydrogen's view SDK, for the
// screenshot of the phone page beside a Matrix client (TestPhonePage with
// WXBRIDGE_MATRIX_CLIENT_DIR). The query names the homeserver, the
// account and the room: ?hs=&user=&password=&room=. document.title says
// "ready" when the timeline shows, or what failed.
import {
	Platform, Client, LoadStatus, createNavigation, createRouter, RoomViewModel, TimelineView, viewClassForTile, FeatureSet,
} from "hydrogen-view-sdk";
import downloadSandbox from "hydrogen-view-sdk/download-sandbox.html?url";
import worker from "hydrogen-view-sdk/main.js?url";
import olmWasm from "@matrix-org/olm/olm.wasm?url";
import olmJs from "@matrix-org/olm/olm.js?url";
import olmLegacy from "@matrix-org/olm/olm_legacy.js?url";
import "hydrogen-view-sdk/assets/theme-element-light.css";
import "./shot.css";

const query = new URLSearchParams(location.search);

async function showRoom() {
	const app = document.getElementById("app");
	const platform = new Platform({
		container: app,
		assetPaths: { downloadSandbox, worker, olm: { wasm: olmWasm, legacyBundle: olmLegacy, wasmBundle: olmJs }, serviceWorker: "sw.js" },
		config: {},
		options: { development: false },
	});
	const navigation = createNavigation();
	platform.setNavigation(navigation);
	await platform.init();
	const urlRouter = createRouter({ navigation, history: platform.history });
	urlRouter.attach();
	const client = new Client(platform);
	const login = await client.queryLogin(query.get("hs")).result;
	client.startWithLogin(login.password(query.get("user"), query.get("password")));
	await client.loadStatus.waitFor((s) => s === LoadStatus.Ready || s === LoadStatus.Error || s === LoadStatus.LoginFailed).promise;
	if (client.loginFailure || client.loadError) {
		document.title = "failed: " + (client.loginFailure || client.loadError.message);
		return;
	}
	const room = client.session.rooms.get(query.get("room"));
	const features = await FeatureSet.load(platform.settingsStorage);
	const vm = new RoomViewModel({ room, ownUserId: client.session.userId, platform, urlRouter, navigation, features });
	await vm.load();
	const header = document.createElement("header");
	header.className = "shot-header";
	header.textContent = vm.name + " · Matrix (Hydrogen)";
	app.append(header, new TimelineView(vm.timelineViewModel, viewClassForTile).mount());
	document.title = "ready";
}

showRoom().catch((e) => { document.title = "error: " + e.message; });
