// Progressive enhancement of the "Addressed to" list (hundreds of bodies): choose a level,
// type part of a place's name and pick it from the suggestions, then choose the body. The
// original <select> stays in the form (hidden) and carries the answer; without JavaScript
// it is the form, grouped by level. Each of its options says its level and place
// (data-level, data-place: app.bodies.queries.body_choices).
(function () {
  var labels = document.getElementById("body-picker");
  var select = document.getElementById("body");
  if (!labels || !select) return;
  var t = labels.dataset;
  var bodies = Array.prototype.filter.call(select.options, function (o) { return o.value; });
  var MAX_SUGGESTIONS = 12;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  var box = el("fieldset", {"class": "body-picker", "data-testid": "body-picker"});
  box.appendChild(el("legend", {}, t.legend));
  var levels = el("div", {"class": "levels"});
  [["national", t.national], ["regional", t.regional], ["district", t.district]].forEach(function (pair) {
    var id = "body-level-" + pair[0];
    var radio = el("input", {type: "radio", name: "body-level", id: id, value: pair[0]});
    var label = el("label", {"for": id, "class": "check"});
    label.appendChild(radio);
    label.appendChild(document.createTextNode(" " + pair[1]));
    levels.appendChild(label);
  });
  box.appendChild(levels);

  var placeField = el("div", {"class": "field place"});
  placeField.appendChild(el("label", {"for": "body-place"}, t.place));
  placeField.appendChild(el("p", {"class": "hint", id: "body-place-hint"}, t.placeHint));
  var place = el("input", {type: "text", id: "body-place", role: "combobox", autocomplete: "off",
                           "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "body-place-list",
                           "aria-describedby": "body-place-hint", spellcheck: "false"});
  var list = el("ul", {id: "body-place-list", role: "listbox", "class": "suggestions", "aria-label": t.place});
  list.hidden = true;
  placeField.appendChild(place);
  placeField.appendChild(list);
  var status = el("p", {"class": "hint", role: "status", "aria-live": "polite"});
  placeField.appendChild(status);
  box.appendChild(placeField);

  var bodyField = el("div", {"class": "field"});
  bodyField.appendChild(el("label", {"for": "body-pick"}, t.body));
  var pick = el("select", {id: "body-pick"});
  bodyField.appendChild(pick);
  box.appendChild(bodyField);

  var level = null, chosenPlace = null, active = -1;

  function placesOf(lvl) {
    var seen = {}, out = [];
    bodies.forEach(function (o) {
      if (o.dataset.level === lvl && o.dataset.place && !seen[o.dataset.place]) {
        seen[o.dataset.place] = true;
        out.push(o.dataset.place);
      }
    });
    return out;
  }

  function fillBodies() {
    pick.innerHTML = "";
    var shown = bodies.filter(function (o) {
      return o.dataset.level === level && (level === "national" || o.dataset.place === chosenPlace);
    });
    pick.appendChild(el("option", {value: ""}, shown.length ? t.choose : t.placeFirst));
    shown.forEach(function (o) {
      var option = el("option", {value: o.value}, o.textContent);
      if (o.value === select.value) option.selected = true;
      pick.appendChild(option);
    });
    if (shown.length === 1) { pick.value = shown[0].value; }
    pick.disabled = !shown.length;
    select.value = pick.value;
  }

  function closeList() {
    list.hidden = true;
    list.innerHTML = "";
    active = -1;
    place.setAttribute("aria-expanded", "false");
    place.removeAttribute("aria-activedescendant");
  }

  function choosePlace(name) {
    chosenPlace = name;
    place.value = name;
    closeList();
    fillBodies();
  }

  function suggest() {
    var typed = place.value.trim().toLocaleLowerCase();
    chosenPlace = null;
    closeList();
    fillBodies();
    if (!typed) { status.textContent = ""; return; }
    var found = placesOf(level).filter(function (name) { return name.toLocaleLowerCase().indexOf(typed) !== -1; });
    status.textContent = found.length ? "" : t.none;
    found.slice(0, MAX_SUGGESTIONS).forEach(function (name, i) {
      var item = el("li", {role: "option", id: "body-place-" + i, "aria-selected": "false"}, name);
      item.addEventListener("mousedown", function (e) { e.preventDefault(); choosePlace(name); });
      list.appendChild(item);
    });
    if (found.length) {
      list.hidden = false;
      place.setAttribute("aria-expanded", "true");
    }
  }

  function move(step) {
    var items = list.querySelectorAll("li");
    if (!items.length) return;
    if (active >= 0) items[active].setAttribute("aria-selected", "false");
    active = (active + step + items.length) % items.length;
    items[active].setAttribute("aria-selected", "true");
    place.setAttribute("aria-activedescendant", items[active].id);
  }

  place.addEventListener("input", suggest);
  place.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown") { e.preventDefault(); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter" && !list.hidden) {
      e.preventDefault();
      var items = list.querySelectorAll("li");
      if (items.length) choosePlace(items[Math.max(active, 0)].textContent);
    } else if (e.key === "Escape") { closeList(); }
  });
  place.addEventListener("blur", function () { setTimeout(closeList, 0); });
  pick.addEventListener("change", function () { select.value = pick.value; });

  function setLevel(value) {
    level = value;
    levels.querySelector("#body-level-" + value).checked = true;
    placeField.hidden = value === "national";
    place.value = "";
    chosenPlace = null;
    closeList();
    fillBodies();
  }
  levels.addEventListener("change", function (e) { if (e.target.name === "body-level") setLevel(e.target.value); });

  // Start where the form stands (an edit, or a form shown again with its errors).
  var current = bodies.filter(function (o) { return o.value === select.value; })[0];
  setLevel(current ? current.dataset.level : "national");
  if (current && current.dataset.place) choosePlace(current.dataset.place);

  var field = select.closest(".field");
  select.hidden = true;
  var ownLabel = field.querySelector("label[for=body]");
  if (ownLabel) ownLabel.hidden = true;
  field.insertBefore(box, select);
})();
