// Progressive enhancement: a "Copy the link" button beside each share box's address.
// Without JavaScript the address is still there to select and copy.
document.querySelectorAll("input.share[data-copy-label]").forEach(function (input) {
  if (!navigator.clipboard) return;
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button small secondary";
  button.textContent = input.dataset.copyLabel;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(input.value).then(function () {
      button.textContent = input.dataset.copiedLabel;
    });
  });
  input.insertAdjacentElement("afterend", button);
});
